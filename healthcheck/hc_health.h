/* SPDX-License-Identifier: MIT */
/* hc_health.h -- from probe results to a check's state (rise/fall) to a datacenter's (rule) */
#ifndef MERIDIAN_HC_HEALTH_H
#define MERIDIAN_HC_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "state/state.h"

/* The rise/fall state of one check. Pure data: no clock, no I/O. */
typedef struct {
	state_health_t state; /* decided state; UNKNOWN until rise or fall is reached */
	uint32_t successes;   /* successes in a row (reset by a failure) */
	uint32_t failures;    /* failures in a row (reset by a success) */
} hc_hysteresis_t;

/* Starts in state (UNKNOWN for a new check, the last known one after a restart). */
void hc_hysteresis_init(hc_hysteresis_t *h, state_health_t state) M_NONNULL_ALL;
/* Feeds one result. fall failures in a row make it DOWN, rise successes in a row UP
 * (from UNKNOWN too: a new check needs the same evidence either way). Returns true
 * when the state changed. */
bool hc_hysteresis_feed(hc_hysteresis_t *h, bool ok, uint32_t rise, uint32_t fall) M_NONNULL_ALL;
/* True while a change is under way: the last result disagrees with the state (UNKNOWN
 * always disagrees). The scheduler then probes at fast_interval. */
bool hc_hysteresis_pending(const hc_hysteresis_t *h) M_NONNULL_ALL M_PURE;

/* "unknown", "up", "down" (the words the state library stores). */
const char *hc_health_name(state_health_t h) M_CONST;

/* A datacenter's state from its checks' states under rule (percent for
 * CONF_CHECK_RULE_PERCENT). UP or DOWN once decided; UNKNOWN while checks still in
 * UNKNOWN could tip it either way, or when there are no checks. */
state_health_t hc_rule_apply(conf_check_rule_t rule, uint32_t percent, const state_health_t *checks,
			     size_t count) M_PURE;

#endif
