/* SPDX-License-Identifier: MIT */
/* dnsd_metrics.h -- meridian-dnsd's /metrics page and its SIGUSR1 line */
#ifndef MERIDIAN_DNSD_METRICS_H
#define MERIDIAN_DNSD_METRICS_H

#include "base/compiler.h"
#include "dnsd/dnsd_reload.h"
#include "dnsd/dnsd_server.h"
#include "metrics/metrics.h"

/* What a scrape reads: the running server (its per-worker counters, summed) and the
 * control side (snapshots, reloads, the geo database). Both pointers belong to the
 * control thread, which is the thread that renders. */
typedef struct {
	const dnsd_server_t *server; /* the sockets and workers */
	const dnsd_reload_t *reload; /* the control side and the config in force */
} dnsd_metrics_src_t;

/* metrics_render_fn for meridian-dnsd: arg is a dnsd_metrics_src_t. */
void dnsd_metrics_render(void *arg, metrics_page_t *page) M_NONNULL_ALL;
/* SIGUSR1: logs the live counters (queries, rcodes, snapshot, reloads) in two lines. */
void dnsd_metrics_log(const dnsd_metrics_src_t *src) M_NONNULL_ALL;

#endif
