/* SPDX-License-Identifier: MIT */
/* repl_metrics.h -- meridian-replicator's /metrics page, its SIGUSR1 line, isolation */
#ifndef MERIDIAN_REPL_METRICS_H
#define MERIDIAN_REPL_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "metrics/metrics.h"
#include "replicator/repl_stats.h"
#include "state/state.h"
#include "state/state_status.h"

/* What a scrape reads, on the main thread (which owns conf): the process counters and,
 * through a read-only connection of its own, the peers' rows the client writes. */
typedef struct {
	repl_stats_t *stats; /* the daemon's counters (atomics, lag under its lock) */
	const conf_t *conf;  /* the running configuration; main replaces it on SIGHUP */
	state_t *ro;	     /* read-only state.db connection, or NULL (peers not shown) */
	int64_t started_ms;  /* wall clock at start: nothing heard yet is not isolation */
} repl_metrics_src_t;

/* metrics_render_fn for meridian-replicator: arg is a repl_metrics_src_t. */
void repl_metrics_render(void *arg, metrics_page_t *page) M_NONNULL_ALL;
/* SIGUSR1: logs the live counters and each peer's last contact. */
void repl_metrics_log(const repl_metrics_src_t *src) M_NONNULL_ALL;

#endif
