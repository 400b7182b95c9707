/* SPDX-License-Identifier: MIT */
/* hc_writer.h -- a thread that writes observations and loads, so probes never wait on SQLite */
#ifndef MERIDIAN_HC_WRITER_H
#define MERIDIAN_HC_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "state/state.h"
#include "state/state_load.h"

/* Concurrency: the loop thread calls hc_writer_put() (a short critical section that
 * copies the row into a queue); the writer thread alone uses its state_t. Rows are
 * written in the order they were put, each with its change-log entry. A row whose write
 * fails is retried every second, in order, until it succeeds or the writer stops. */
typedef struct hc_writer hc_writer_t;

/* Starts the thread; it owns st from now on (and closes it in hc_writer_stop). */
hc_writer_t *hc_writer_start(state_t *st) M_NONNULL_ALL M_WUR;
/* Queues obs (an hc_publish_fn: arg is the writer). 0, or -1 when out of memory. */
int hc_writer_put(void *writer, const state_observation_t *obs) M_NONNULL_ALL M_WUR;
/* Queues a live load reading (an hc_load_publish_fn: arg is the writer). 0, or -1. */
int hc_writer_put_load(void *writer, const state_load_t *load) M_NONNULL_ALL M_WUR;
/* Writes what is queued (one attempt each for rows that keep failing), stops the
 * thread, closes the store, frees. NULL is fine. */
void hc_writer_stop(hc_writer_t *w);
/* Live load readings written, and writes of them that failed. */
void hc_writer_load_counts(hc_writer_t *w, uint64_t *written, uint64_t *failed) M_NONNULL_ALL;
/* Observations written, their writes failed, rows (of both kinds) waiting. */
void hc_writer_counts(hc_writer_t *w, uint64_t *written, uint64_t *failed,
		      size_t *queued) M_NONNULL_ALL;

#endif
