/* SPDX-License-Identifier: MIT */
/* state_weight.h -- run-time weights of configured splits: replicated, audited, expiring */
#ifndef MERIDIAN_STATE_WEIGHT_H
#define MERIDIAN_STATE_WEIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "state/state.h"

/* Largest weight, as in the config. */
#define STATE_WEIGHT_MAX 1000000u

/* An operator's weight of one datacenter in one configured split (`meridianctl weight`),
 * replacing the config's while it is in effect. Key (target, datacenter). */
typedef struct {
	char target[STATE_TEXT_MAX];	 /* "www.example.com." or "www.example.com.@EU": the
					  * split (geo_pick_target_parse), canonical */
	char datacenter[STATE_NAME_MAX]; /* the datacenter weighted */
	uint32_t weight;		 /* 0..STATE_WEIGHT_MAX */
	char reason[STATE_TEXT_MAX];	 /* the operator's words */
	char actor[STATE_TEXT_MAX];	 /* who did it */
	int64_t created_ms;		 /* when it was set, ms since epoch */
	int64_t expires_ms;		 /* 0: never */
	bool deleted;			 /* tombstone: cleared */
	uint64_t hlc;			 /* of the write that made this row */
	char origin[STATE_NAME_MAX];	 /* region that wrote it */
} state_weight_t;

/* In effect at now_ms: not cleared and not expired. */
bool state_weight_active(const state_weight_t *w, int64_t now_ms) M_NONNULL_ALL M_PURE;
/* Sets (replaces) the weight and appends an audit event "weight" whose detail is config_detail
 * (what the config says, for the log) and the expiry; one transaction. */
int state_weight_put(state_t *st, const state_weight_t *w, const char *config_detail)
    M_NONNULL_ALL M_WUR;
/* Tombstones the weight of (target, datacenter) and appends an audit event
 * "weight-clear". 1, and nothing written, when none is in effect. */
int state_weight_clear(state_t *st, const char *target, const char *datacenter,
		       const char *actor, const char *reason) M_NONNULL_ALL M_WUR;
/* All weights, tombstones and expired ones included; *out malloc'd. */
int state_weights_list(state_t *st, state_weight_t **out, size_t *count) M_NONNULL_ALL M_WUR;

#endif
