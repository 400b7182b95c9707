/* SPDX-License-Identifier: MIT */
/* geo_set.h -- a geo set: records' rules compiled over a database into tries; its lookups */
#ifndef MERIDIAN_GEO_SET_H
#define MERIDIAN_GEO_SET_H

#include <stddef.h>

#include "base/compiler.h"
#include "geo/geo_db.h"
#include "geo/geo_order.h"
#include "geo/geo_trie.h"

/* Compiles one record: every network of db (both families) gets the list geo_order()
 * gives it, nets rules cut their CIDRs in, and equal neighbours are merged. dcs has ndc
 * entries; the trie keeps no pointer to db, dcs or rules. Returns NULL with the reason in
 * err (bad rules, out of memory). Runs in O(database nodes + rules * 128). */
geo_trie_t *geo_trie_build(const geo_db_t *db, const geo_dc_t *dcs, size_t ndc,
			   const geo_rules_t *rules, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

/* The compiled tries of every geo record of a configuration, built against one database.
 * Records with equal rules share one trie. Immutable once built: publish it (e.g. with
 * RCU), free it after readers are gone. */
typedef struct geo_set geo_set_t;

/* Builds rules[0..nrules) (nrules may be 0) on the calling thread. Returns NULL with
 * "record N: reason" in err (N the first failing record). */
geo_set_t *geo_set_build(const geo_db_t *db, const geo_dc_t *dcs, size_t ndc,
			 const geo_rules_t *rules, size_t nrules, char *err, size_t errlen)
    M_NONNULL(1, 2, 6) M_WUR;
/* Most threads geo_set_build_threads() starts. */
#define GEO_SET_MAX_THREADS 16
/* The same, compiling distinct tries on up to `threads` threads (the caller's included;
 * 0: one per online CPU, at most GEO_SET_MAX_THREADS). Worth it at start-up; a reload
 * beside query threads may prefer 1 so answering keeps its cores. */
geo_set_t *geo_set_build_threads(const geo_db_t *db, const geo_dc_t *dcs, size_t ndc,
				 const geo_rules_t *rules, size_t nrules, unsigned threads,
				 char *err, size_t errlen) M_NONNULL(1, 2, 7) M_WUR;
/* The trie of record i (< nrules of the build). */
const geo_trie_t *geo_set_trie(const geo_set_t *set, size_t record) M_NONNULL_ALL M_PURE;
/* Distinct tries actually built (records with equal rules count once). */
size_t geo_set_distinct(const geo_set_t *set) M_NONNULL_ALL M_PURE;
/* Frees set and its tries; NULL is fine. */
void geo_set_free(geo_set_t *set);

#endif
