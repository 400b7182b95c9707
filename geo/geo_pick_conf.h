/* SPDX-License-Identifier: MIT */
/* geo_pick_conf.h -- the pick's plain inputs (records, datacenters), built from a config */
#ifndef MERIDIAN_GEO_PICK_CONF_H
#define MERIDIAN_GEO_PICK_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "geo/geo_pick.h"

/* What geo_pick() reads of one config, built once and immutable afterwards: dnsd makes
 * its snapshots from it (copying dcs and setting each one's state), meridianctl its
 * explanations and status. Everything is owned here and freed by geo_pick_tables_free();
 * nothing points into the conf_t, so the tables may outlive it. */
typedef struct {
	geo_pick_record_t *records; /* one per conf->records, same order */
	size_t record_count;	    /* entries in records */
	geo_pick_dc_t *dcs;	    /* one per conf->datacenters: addresses, capacity, seed;
				     * serving false, no load (the caller sets the state) */
	size_t dc_count;	    /* entries in dcs */
	uint16_t *candidates;	    /* storage behind records[].candidates */
	uint8_t *addresses;	    /* storage behind dcs[].a and dcs[].aaaa */
	uint16_t *split_dc;	    /* storage behind every split's dc */
	uint32_t *split_weight;	    /* storage behind every split's weight */
	geo_pick_split_t *entry_splits; /* storage behind records[].entry_splits */
} geo_pick_tables_t;

/* Builds t from conf. Returns 0, or -1 with the reason in err (t is then empty). */
int geo_pick_tables_build(const conf_t *conf, geo_pick_tables_t *t, char *err,
			  size_t errlen) M_NONNULL_ALL M_WUR;

/* A weight set at run time (`meridianctl weight`): it replaces the config's weight of one
 * datacenter in one configured split, while it is in effect. */
typedef struct {
	size_t record;	 /* index into conf->records */
	int entry;	 /* -1: the record's own weights; k < map_count: map[k];
			  * map_count + k: nets[k] (geo_pick_target_parse) */
	size_t dc;	 /* datacenter index, listed in that split's config weights */
	uint32_t weight; /* 0..1000000; 0 takes the datacenter out of the split */
} geo_pick_reweight_t;

/* geo_pick_tables_build() with rw[0..rw_count) replacing config weights; a run-time
 * weight for a datacenter the split does not list is ignored. Entry splits keep their
 * places (the tries' marks stay right). */
int geo_pick_tables_build_with(const conf_t *conf, const geo_pick_reweight_t *rw,
			       size_t rw_count, geo_pick_tables_t *t, char *err, size_t errlen)
    M_NONNULL(1, 4, 5) M_WUR;

/* Resolves a weight target: "RECORD" (its own weights) or "RECORD@KEY" (the map or nets
 * entry whose key is KEY as the config writes it: "EU/IE", "10.0.0.0/8"). The record
 * may be given without its final dot, in any case. The split must have weights in the
 * config. 0, or -1 with err ("no geo record x.", "... has no weights in the
 * configuration ..."). */
int geo_pick_target_parse(const conf_t *conf, const char *target, size_t *record, int *entry,
			  char *err, size_t errlen) M_NONNULL_ALL M_WUR;
/* The config's weight of dc in the split (record, entry): 0 and *config_weight, or -1
 * when the split does not list dc. */
int geo_pick_target_weight(const conf_t *conf, size_t record, int entry, size_t dc,
			   uint32_t *config_weight) M_NONNULL_ALL M_WUR;
/* Frees what geo_pick_tables_build() allocated; a zeroed or freed t is fine. */
void geo_pick_tables_free(geo_pick_tables_t *t) M_NONNULL_ALL;
/* One stored run-time weight (target, datacenter name, weight) as the tables take it:
 * 0, or -1 when this config has no such split or the split does not list the
 * datacenter (a weight set under another config: ignored). */
int geo_pick_reweight_resolve(const conf_t *conf, const char *target, const char *datacenter,
			      uint32_t weight, geo_pick_reweight_t *out) M_NONNULL_ALL M_WUR;

#endif
