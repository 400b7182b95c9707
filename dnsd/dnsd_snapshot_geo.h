/* SPDX-License-Identifier: MIT */
/* dnsd_snapshot_geo.h -- the geo database part of a snapshot: open, compile, watch */
#ifndef MERIDIAN_DNSD_SNAPSHOT_GEO_H
#define MERIDIAN_DNSD_SNAPSHOT_GEO_H

#include <stdbool.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"
#include "dnsd/dnsd_snapshot.h"

/* Concurrency: loaded, reference-counted and freed on the control thread only; the
 * compiled tries are immutable and read by query threads through dnsd_geo_t.lookup. */

/* Opens conf->geoip_path and compiles the tries for conf->records on up to `threads`
 * threads (0: every CPU, for start-up; 1 on reloads so query threads keep their cores;
 * the database is freed once compiled: tries do not point into it). Returns NULL with
 * *errors set (one problem per line, caller frees) on failure; returns NULL with *errors
 * NULL when the config has no records (nothing to load). */
dnsd_geodb_t *dnsd_geodb_load(const conf_t *conf, unsigned threads,
			      char **errors) M_NONNULL_ALL M_WUR;
/* Reference counting; control thread only. unref(NULL) is fine. */
void dnsd_geodb_ref(dnsd_geodb_t *db) M_NONNULL_ALL;
void dnsd_geodb_unref(dnsd_geodb_t *db);
/* The lookup the answer path calls for this database (NULL, NULL for db NULL). */
void dnsd_geodb_view(const dnsd_geodb_t *db, dnsd_geo_lookup_fn *lookup, const void **ctx)
    M_NONNULL(2, 3);

/* Makes the lookups pre[0..n) want (dnsd_answer_prepare()) together, per record, with
 * geo_trie_lookup_batch() so their cache misses overlap; sets done, order, count and
 * scope exactly as the one-by-one lookup would. Does nothing when g's lookup is not
 * this database's (the answer path then looks up one by one). Query threads; no
 * allocation, no lock. */
void dnsd_geodb_lookup_batch(const dnsd_geo_t *g, dnsd_geo_pre_t *const *pre,
			     size_t n) M_NONNULL_ALL;

#endif
