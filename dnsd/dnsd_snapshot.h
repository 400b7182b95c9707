/* SPDX-License-Identifier: MIT */
/* dnsd_snapshot.h -- the immutable view answers are computed from, published with RCU */
#ifndef MERIDIAN_DNSD_SNAPSHOT_H
#define MERIDIAN_DNSD_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"
#include "dnsd/dnsd_cookie.h"
#include "dnsd/dnsd_zone.h"
#include "geo/geo_pick_conf.h"
#include "state/state_verdict.h"

/* Concurrency: a snapshot is built on the control thread (the only writer), published
 * with rcu_assign_pointer() into dnsd_snapshot_current, and never changed afterwards.
 * Query threads (liburcu-qsbr readers) rcu_dereference() it once per batch and read it
 * without locks. dnsd_snapshot_publish() waits for a grace period (synchronize_rcu)
 * before it drops the previous snapshot, so no reader can still hold it.
 *
 * A snapshot is made of parts with different lifetimes, shared between successive
 * snapshots by reference counts that only the control thread touches:
 *   - the zone set: the config, the zone store and everything derived from the config
 *     alone (geo record table, datacenter addresses, NSID bytes); replaced by a reload;
 *   - the geo database: the compiled tries; replaced by a reload or a changed file;
 *   - the verdicts: owned by one snapshot; a state change builds a new snapshot that
 *     shares the other two parts. */

typedef struct dnsd_zoneset dnsd_zoneset_t;
/* (the geo part, dnsd_geodb_t, is dnsd_geodb.h's: named here by its tag) */
struct dnsd_geodb;

/* One published view. Readers use `answer` (and `conf` for server limits) only. */
typedef struct {
	dnsd_answer_ctx_t answer;  /* what dnsd_answer() reads; points into the parts */
	const conf_t *conf;	   /* the config this view came from */
	dnsd_geo_t geo;		   /* answer.geo points here (when there are records) */
	dnsd_geo_dc_t *dcs;	   /* per datacenter: addresses (shared) + serving */
	state_verdict_t *verdicts; /* per datacenter, as computed; NULL: all UNKNOWN */
	uint8_t *address_flags;	   /* behind dcs[].a_serving/aaaa_serving of datacenters
				    * with address checks (one byte per address), or NULL */
	dnsd_zoneset_t *zoneset;   /* shared part (counted reference) */
	struct dnsd_geodb *geodb;	   /* shared part (counted reference), or NULL */
	dnsd_cookie_keys_t cookies; /* server cookie secrets (set before publication) */
	geo_pick_tables_t *reweighted; /* run-time weights in effect (`meridianctl weight`):
					* this snapshot's own record tables, which geo.records
					* then points into (owned); NULL: the zone set's */
	geo_pick_reweight_t *reweights; /* the weights they were built with (owned), NULL */
	size_t reweight_count;	       /* entries in reweights */
} dnsd_snapshot_t;

/* The published snapshot; NULL before the first one. Readers: rcu_dereference. */
extern dnsd_snapshot_t *dnsd_snapshot_current;

/* Loads zones for conf and derives the config-only tables. Takes ownership of conf
 * (freed with the zone set, even on failure). Returns NULL and *errors (one problem per
 * line, caller frees) on failure. */
dnsd_zoneset_t *dnsd_zoneset_load(conf_t *conf, char **errors) M_NONNULL_ALL M_WUR;
/* The config a zone set was built from. */
const conf_t *dnsd_zoneset_conf(const dnsd_zoneset_t *zs) M_NONNULL_ALL M_PURE;
/* The zone store of a zone set; NULL when the config has no zones. */
const dnsd_zones_t *dnsd_zoneset_zones(const dnsd_zoneset_t *zs) M_NONNULL_ALL M_PURE;
/* What the verdicts read of its config (bridge_state_params_new), living as long as zs. */
const state_params_t *dnsd_zoneset_state_params(const dnsd_zoneset_t *zs) M_NONNULL_ALL M_PURE;
/* Drops one reference; frees at zero. NULL is fine. Control thread only. */
void dnsd_zoneset_unref(dnsd_zoneset_t *zs);

/* Builds a snapshot over the parts (taking a reference on each) and the verdicts (copied;
 * NULL: every datacenter UNKNOWN, i.e. served). Returns NULL on allocation failure. */
dnsd_snapshot_t *dnsd_snapshot_build(dnsd_zoneset_t *zs, struct dnsd_geodb *db,
				     const state_verdict_t *verdicts) M_NONNULL(1) M_WUR;
/* Makes snap the current one, waits for readers of the previous one, frees it. */
void dnsd_snapshot_publish(dnsd_snapshot_t *snap);
/* Frees a snapshot no reader can see (never published, or after a grace period). */
void dnsd_snapshot_free(dnsd_snapshot_t *snap);
/* Gives snap (not yet published) its own record tables with the run-time weights
 * rw[0..n) (copied); n 0 leaves the zone set's. 0, or -1 when out of memory. */
int dnsd_snapshot_reweigh(dnsd_snapshot_t *snap, const geo_pick_reweight_t *rw, size_t n)
    M_NONNULL(1) M_WUR;
/* True when a and b give the same serving set (a new snapshot would answer the same). */
bool dnsd_snapshot_same_serving(const dnsd_snapshot_t *snap, const state_verdict_t *verdicts)
    M_NONNULL(1);

#endif
