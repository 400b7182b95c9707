/* SPDX-License-Identifier: MIT */
/* dnsd_reload.h -- the control side: load, reload on SIGHUP, follow state.db and the geo DB */
#ifndef MERIDIAN_DNSD_RELOAD_H
#define MERIDIAN_DNSD_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"

/* Concurrency: a dnsd_reload_t belongs to the control thread (meridian-dnsd's main
 * thread), the only one that builds and publishes snapshots; so loads, SIGHUP reloads,
 * state polls and geo DB reloads are serialised by construction and need no lock. The
 * state.db connection is read-only and used by this thread alone: queries never wait
 * on SQLite. */
typedef struct dnsd_reload dnsd_reload_t;

/* Loads the config at path, its zones and its geo database. direct: the geo database is
 * only mapped and checked as far as libmaxminddb's open checks it, and answers in
 * direct mode (dnsd_geodb_open_direct()) until dnsd_reload_compile(); false: its tries
 * are compiled here (what `-t` checks). Returns NULL and *errors (every problem, one
 * per line, caller frees) when any of them fails. */
dnsd_reload_t *dnsd_reload_load(const char *path, bool direct, char **errors) M_NONNULL_ALL M_WUR;

/* The config currently in force. */
const conf_t *dnsd_reload_conf(const dnsd_reload_t *r) M_NONNULL_ALL M_PURE;

/* Opens state.db if it exists, computes verdicts and publishes the first snapshot.
 * Returns 0, or -1 on allocation failure. */
int dnsd_reload_start(dnsd_reload_t *r) M_NONNULL_ALL M_WUR;

/* After dnsd_reload_start() with a geo database in direct mode: compiles its tries on
 * this thread (one core, beside the query threads, which keep answering in direct
 * mode meanwhile), publishes them and logs the compile time. Does nothing otherwise.
 * Returns 0, or -1 when the file does not compile (logged with the file and the
 * problem): the caller stops, as a broken file is not served (the same file fails
 * `-t` and is refused by a reload). */
int dnsd_reload_compile(dnsd_reload_t *r) M_NONNULL_ALL M_WUR;

/* SIGHUP: reloads config, zones and geo DB off the query path and swaps them in. A
 * failure keeps the old snapshot and logs each problem. Returns 0 or -1 (failed). */
int dnsd_reload_config(dnsd_reload_t *r) M_NONNULL_ALL;

/* Called every poll interval: follows state.db's data_version (and re-evaluates every
 * second for expiry and staleness) and the geo DB file; publishes a new snapshot when
 * the serving set or the database changed. */
void dnsd_reload_tick(dnsd_reload_t *r) M_NONNULL_ALL;

/* Milliseconds between ticks (health.poll_ms of the config in force, >= 1). */
uint32_t dnsd_reload_poll_ms(const dnsd_reload_t *r) M_NONNULL_ALL M_PURE;

/* What the control side did since start (for /metrics and SIGUSR1). */
typedef struct {
	uint64_t generation;	  /* snapshots published, >= 1 once started */
	int64_t published_ms;	  /* wall clock of the last publication, ms since epoch */
	uint64_t reloads;	  /* SIGHUP reloads that took effect */
	uint64_t reload_failures; /* SIGHUP reloads refused (the old config kept) */
	uint64_t geo_reloads;	  /* geo database files reloaded after a change */
	uint64_t geo_failures;	  /* changed geo database files refused */
	double geo_build_seconds; /* the last geo tries compile, seconds; 0 before one */
	uint64_t geo_bytes;	  /* size of the geo database file, bytes; 0 without one */
} dnsd_reload_stats_t;

/* The control side's counters; call on the control thread. */
void dnsd_reload_stats(const dnsd_reload_t *r, dnsd_reload_stats_t *out) M_NONNULL_ALL;
/* Whether datacenter dc (an index of the config in force) is served in the published
 * snapshot, and its effective state's name in *state ("up", "down", ...). */
bool dnsd_reload_serving(const dnsd_reload_t *r, size_t dc, const char **state) M_NONNULL_ALL;

/* Retracts the published snapshot (query threads must be stopped) and frees everything. */
void dnsd_reload_free(dnsd_reload_t *r);

#endif
