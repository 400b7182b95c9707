/* SPDX-License-Identifier: MIT */
/* geo_capacity.h -- where spare capacity does not cover a failed datacenter's demand */
#ifndef MERIDIAN_GEO_CAPACITY_H
#define MERIDIAN_GEO_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "geo/geo_pick_conf.h"

/* One record whose clients of a failed datacenter spill past what the others can take. */
typedef struct {
	size_t record;	 /* index into the tables' records */
	size_t dc;	 /* the datacenter not serving whose clients spill */
	uint64_t demand; /* its demand: its live load, else its capacity */
	uint64_t spare;	 /* the spare capacity of the serving datacenters after it */
} geo_capacity_short_t;

/* For each record of t (its dcs' serving and load set by the caller) and each candidate
 * that is not serving and declares a capacity: asks geo_pick() for a client whose order
 * is that candidate first, then the others in config order (the family it has), and
 * reports the pick's GEO_PICK_CAPACITY_SHORT. The same rule answers queries, so status
 * says what dnsd counts. Writes at most max rows to out; returns how many there are. */
size_t geo_capacity_shortfalls(const geo_pick_tables_t *t, geo_capacity_short_t *out,
			       size_t max) M_NONNULL(1);

#endif
