/* SPDX-License-Identifier: MIT */
/* dnsd_geodb.h -- the geo database part of a snapshot: direct or compiled lookups */
#ifndef MERIDIAN_DNSD_GEODB_H
#define MERIDIAN_DNSD_GEODB_H

#include <stdbool.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"
#include "dnsd/dnsd_snapshot.h"

/* The geo part of a snapshot: the compiled tries of the records (or, while they compile,
 * the mapped database file read directly), shared by the snapshots that use it. */
typedef struct dnsd_geodb dnsd_geodb_t;

/* Concurrency: loaded, reference-counted and freed on the control thread only; what
 * lookups read (the compiled tries, or the mapped file and rules in direct mode) is
 * immutable and read by query threads through dnsd_geodb_view's lookup. */

/* Opens conf->geoip_path and compiles the tries for conf->records on up to `threads`
 * threads (0: every CPU; 1 beside query threads so they keep their cores; the database
 * is freed once compiled: tries do not point into it). Returns NULL with *errors set
 * (one problem per line, caller frees) on failure; returns NULL with *errors NULL when
 * the config has no records (nothing to load). */
dnsd_geodb_t *dnsd_geodb_load(const conf_t *conf, unsigned threads,
			      char **errors) M_NONNULL_ALL M_WUR;
/* The same in direct mode: maps conf->geoip_path (MMDB_open's checks only, no walk of
 * the tree, so it takes about a millisecond whatever the size) and checks the rules;
 * lookups then walk the file (geo_direct.h): the same orders as the tries, scopes at
 * least as long. For start-up, so answering does not wait for the compile; the caller
 * compiles with dnsd_geodb_load() next and swaps the tries in. A config whose records
 * need more than 256 preference entries is compiled here (dnsd_geodb_load()) instead.
 * Errors as for dnsd_geodb_load(); a file that opens here may still fail to compile. */
dnsd_geodb_t *dnsd_geodb_open_direct(const conf_t *conf, unsigned threads,
				     char **errors) M_NONNULL_ALL M_WUR;
/* True when db answers in direct mode (its tries are still to be compiled). */
bool dnsd_geodb_is_direct(const dnsd_geodb_t *db) M_NONNULL_ALL M_PURE;
/* The database file, as the config resolved it. */
const char *dnsd_geodb_path(const dnsd_geodb_t *db) M_NONNULL_ALL M_PURE;
/* Reference counting; control thread only. unref(NULL) is fine. */
void dnsd_geodb_ref(dnsd_geodb_t *db) M_NONNULL_ALL;
void dnsd_geodb_unref(dnsd_geodb_t *db);
/* The lookup the answer path calls for this database (NULL, NULL for db NULL). */
void dnsd_geodb_view(const dnsd_geodb_t *db, dnsd_geo_lookup_fn *lookup, const void **ctx)
    M_NONNULL(2, 3);

/* Makes the lookups pre[0..n) want (dnsd_answer_prepare()) together, per record, with
 * geo_trie_lookup_batch() so their cache misses overlap; sets done, order, count and
 * scope exactly as the one-by-one lookup would. Does nothing when g's lookup is not
 * this database's compiled one (none, or direct mode: the answer path then looks up
 * one by one). Query threads; no
 * allocation, no lock. */
void dnsd_geodb_lookup_batch(const dnsd_geo_t *g, dnsd_geo_pre_t *const *pre,
			     size_t n) M_NONNULL_ALL;

#endif
