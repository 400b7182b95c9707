/* SPDX-License-Identifier: MIT */
/* hc_load.h -- live load reads of the datacenters that declare one, on the probe loop */
#ifndef MERIDIAN_HC_LOAD_H
#define MERIDIAN_HC_LOAD_H

#include <stddef.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "healthcheck/hc_loop.h"
#include "metrics/metrics.h"
#include "state/state_load.h"

/* Concurrency: a load set lives on its loop's thread; publish is called there. */
typedef struct hc_loads hc_loads_t;

/* Hands one reading to be written (the daemon: the writer thread's queue). 0, or -1. */
typedef int (*hc_load_publish_fn)(void *arg, const state_load_t *load);

/* Largest page read for a load, bytes: a bigger one fails ("page larger than 1 MiB"). */
#define HC_LOAD_BODY_MAX (1024 * 1024)

/* A reader for every datacenter of conf with `load`; nothing runs before
 * hc_loads_start(). conf must outlive the set. NULL when out of memory. */
hc_loads_t *hc_loads_new(hc_loop_t *loop, const conf_t *conf, hc_load_publish_fn publish,
			 void *publish_arg) M_NONNULL(1, 2, 3) M_WUR;
/* Reads each load now, then every interval. A reading is published when it is the
 * first, when ok changes, when the value moved by more than min_change percent of the
 * last published one, or when heartbeat has passed since the last publication. */
void hc_loads_start(hc_loads_t *loads) M_NONNULL_ALL;
/* Stops transfers and timers and frees. NULL is fine. */
void hc_loads_free(hc_loads_t *loads);
/* Writes the readers' metrics (reads by datacenter and result, the last value) into p;
 * on the loop's thread. */
void hc_loads_metrics(const hc_loads_t *loads, metrics_page_t *p) M_NONNULL_ALL;
/* Datacenters read. */
size_t hc_loads_count(const hc_loads_t *loads) M_NONNULL_ALL M_PURE;

#endif
