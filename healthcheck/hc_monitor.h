/* SPDX-License-Identifier: MIT */
/* hc_monitor.h -- every check of every datacenter on one loop: schedule, decide, publish */
#ifndef MERIDIAN_HC_MONITOR_H
#define MERIDIAN_HC_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "healthcheck/hc_loop.h"
#include "metrics/metrics.h"
#include "state/state.h"

/* Concurrency: a monitor lives on its loop's thread; every callback below runs there. */
typedef struct hc_monitor hc_monitor_t;

/* Writes one of this region's observations (the daemon: state_observation_put). 0 on
 * success; on failure the monitor logs and retries at the next heartbeat. */
typedef int (*hc_publish_fn)(void *arg, const state_observation_t *obs);

/* Counters for the operator and the scale benchmark. */
typedef struct {
	uint64_t probes;	 /* runs finished since the monitor started */
	uint64_t failures;	 /* of which failed */
	uint64_t late_probes;	 /* runs that started over 100 ms after they were due */
	int64_t max_late_ms;	 /* worst start delay seen */
	uint64_t publishes;	 /* observations written */
	uint64_t publish_errors; /* writes that failed */
	size_t checks;		 /* checks configured */
	size_t datacenters;	 /* datacenters with at least one check */
} hc_monitor_stats_t;

/* Builds the check set of conf (datacenters without checks are left alone: no
 * observations). Each datacenter starts from, in order: its state in prev (a reload;
 * checks whose settings did not change keep their rise/fall counters), the observation
 * this region wrote before (known: a restart), or UNKNOWN (new; served, never down).
 * conf must outlive the monitor. Nothing runs before hc_monitor_start(). */
hc_monitor_t *hc_monitor_new(hc_loop_t *loop, const conf_t *conf, const hc_monitor_t *prev,
			     const state_observation_t *known, size_t known_count,
			     hc_publish_fn publish, void *publish_arg) M_NONNULL(1, 2, 6) M_WUR;
/* Arms every check (first run after a random delay up to its jitter, or when it was
 * due in prev) and the heartbeats; writes the first observation of new datacenters. */
void hc_monitor_start(hc_monitor_t *mon) M_NONNULL_ALL;
/* Stops everything in flight (kills exec children) and frees. NULL is fine. */
void hc_monitor_free(hc_monitor_t *mon);
void hc_monitor_stats(const hc_monitor_t *mon, hc_monitor_stats_t *out) M_NONNULL_ALL;
/* The current state of datacenter name, or -1 when it has no checks here. */
int hc_monitor_datacenter_state(const hc_monitor_t *mon, const char *name) M_NONNULL_ALL M_PURE;

/* Writes the monitor's metrics (probes by datacenter, check and result, the probe
 * duration histogram, transitions, late runs) into p; on the loop's thread. */
void hc_monitor_metrics(const hc_monitor_t *mon, metrics_page_t *p) M_NONNULL_ALL;

/* Replaces the wall clock (ms since epoch) used for since/checked times; tests only. */
void hc_monitor_set_clock(hc_monitor_t *mon, int64_t (*wall_ms)(void)) M_NONNULL_ALL;

#endif
