/* SPDX-License-Identifier: MIT */
/* hc_status.h -- the status thread: this region's effective state, written for status pages */
#ifndef MERIDIAN_HC_STATUS_H
#define MERIDIAN_HC_STATUS_H

#include "base/compiler.h"

/* Concurrency: one thread of its own, with its own config (loaded from the file) and its
 * own state.db connection, so neither the probe loop nor the query path ever waits on
 * it. Every second, and at once after hc_status_reload(), it recomputes the verdicts
 * exactly as meridian-dnsd does and writes the status tables (state_status_update()):
 * on a change, and every HC_STATUS_REFRESH_MS otherwise (the `computed` time says the
 * data is live). */
typedef struct hc_status hc_status_t;

/* region_state.computed is refreshed at least this often when nothing changes. */
#define HC_STATUS_REFRESH_MS 5000

/* Starts the thread on the config at conf_path. NULL when out of memory or the thread
 * cannot start (the daemon runs without status tables then; logged). */
hc_status_t *hc_status_start(const char *conf_path) M_NONNULL_ALL M_WUR;
/* SIGHUP: the thread loads the config again (a file that does not load is ignored: the
 * daemon logs that itself) and recomputes. */
void hc_status_reload(hc_status_t *s) M_NONNULL_ALL;
/* Stops and joins the thread, frees; NULL is fine. */
void hc_status_stop(hc_status_t *s);

#endif
