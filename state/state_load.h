/* SPDX-License-Identifier: MIT */
/* state_load.h -- datacenters' live load as each region read it: replicated rows */
#ifndef MERIDIAN_STATE_LOAD_H
#define MERIDIAN_STATE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "state/state_params.h"
#include "state/state.h"

/* One region's last reading of one datacenter's live load (datacenters.NAME.load).
 * Key (checker, datacenter); last writer wins, like observations. */
typedef struct {
	char checker[STATE_NAME_MAX];	 /* region that read it (forced to the store's region on put) */
	char datacenter[STATE_NAME_MAX]; /* datacenter read */
	int64_t value_milli;		 /* the load times 1000, >= 0 when ok; 0 when not */
	bool ok;			 /* the read gave a number; false: detail says why not */
	char detail[STATE_TEXT_MAX];	 /* why the read failed ("HTTP 503", "no metric x"); "" when ok */
	int64_t measured_ms;		 /* when it was read, ms since epoch (the reader's clock) */
	uint64_t hlc;			 /* of the write that made this row */
	char origin[STATE_NAME_MAX];	 /* region that wrote it */
} state_load_t;

/* Writes this region's reading (checker is the store's region), with its change-log
 * entry, one transaction. */
int state_load_put(state_t *st, const state_load_t *load) M_NONNULL_ALL M_WUR;
/* Every region's readings, by datacenter then checker; *out malloc'd. */
int state_loads_list(state_t *st, state_load_t **out, size_t *count) M_NONNULL_ALL M_WUR;

/* The datacenter's load now: the newest good reading of any region that is at most
 * max_age_ms old (0: any age). True and *value (load units) and *from set when there is
 * one; false when there is none (no load known: nothing lowers spare capacity). */
bool state_load_current(const state_load_t *loads, size_t count, const char *datacenter,
			int64_t now_ms, int64_t max_age_ms, double *value,
			const state_load_t **from) M_NONNULL(3, 6);

/* How old a reading of params->datacenters[dc] may be and still count: twice its load
 * heartbeat; 0 when it declares no load. */
int64_t state_load_max_age(const state_params_t *params, size_t dc) M_NONNULL_ALL M_PURE;

/* The live load the pick (geo_pick_dc_t.load) takes for params->datacenters[dc] at now_ms:
 * only a datacenter that declares `load`, its state_load_current() within
 * state_load_max_age(), rounded to a whole unit (at most UINT32_MAX). meridian-dnsd,
 * explain and status all call this, so they spill alike. */
bool state_load_for_pick(const state_params_t *params, size_t dc, const state_load_t *loads,
			 size_t count, int64_t now_ms, uint32_t *value) M_NONNULL(1, 6);

#endif
