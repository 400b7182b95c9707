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
/* Frees what geo_pick_tables_build() allocated; a zeroed or freed t is fine. */
void geo_pick_tables_free(geo_pick_tables_t *t) M_NONNULL_ALL;

#endif
