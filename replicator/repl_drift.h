/* SPDX-License-Identifier: MIT */
/* repl_drift.h -- the replicator's part in drift: its own deployment row, and the drift log */
#ifndef MERIDIAN_REPL_DRIFT_H
#define MERIDIAN_REPL_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "metrics/metrics.h"
#include "state/state.h"
#include "state/state_deploy.h"

/* Drift already logged as past the grace, so each is logged once. */
typedef struct {
	state_drift_t *logged; /* malloc'd; what the last look found past the grace */
	size_t count;	       /* entries in logged */
	int64_t last_ms;       /* monotonic ms of the last look */
} repl_drift_t;

/* Writes the replicator's deployment row for conf into st. Logs a failure. */
void repl_drift_record(state_t *st, const conf_t *conf) M_NONNULL_ALL;
/* At most once a second (client thread, its connection st): logs a warning for each
 * region whose drift from this one has lasted longer than grace_ms, once, and an info
 * line when it clears. */
void repl_drift_tick(repl_drift_t *rd, state_t *st, uint32_t grace_ms, int64_t mono_ms) M_NONNULL_ALL;
void repl_drift_free(repl_drift_t *rd) M_NONNULL_ALL;
/* /metrics: meridian_deployment_drift_regions (always), meridian_deployment_drift_seconds
 * per drifting region and part (config, zones, geoip, version), and
 * meridian_deployment_drift_over_grace, from st (NULL: nothing known, zeros). */
void repl_drift_metrics(metrics_page_t *p, state_t *st, uint32_t grace_ms, int64_t now_ms)
    M_NONNULL(1);
/* "config digest, zone serials" for the fields that differ; returns buf. */
const char *repl_drift_what(const state_drift_t *d, char *buf, size_t len) M_NONNULL_ALL;

#endif
