/* SPDX-License-Identifier: MIT */
/* dnsd_zone.h -- the zone store: master files loaded with ldns into an immutable lookup table */
#ifndef MERIDIAN_DNSD_ZONE_H
#define MERIDIAN_DNSD_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"

/* Concurrency: a dnsd_zones_t is built by dnsd_zones_load() on one thread (the loader,
 * the only place ldns is used), and is immutable afterwards: any number of query threads
 * may read it at once without locks. The owner frees it with dnsd_zones_free() only after
 * no reader can still see it (the snapshot's RCU grace period). A zones object does not
 * depend on health state, so a snapshot rebuilt for a verdict change can keep using the
 * same one; only a config/zone reload makes a new one. */
typedef struct dnsd_zones dnsd_zones_t;
typedef struct dnsd_node dnsd_node_t;

/* Loads every zone (origin and master file) into one store. Geo record names (from
 * conf_t.records, index i in that array) are marked in the store so that the answer path
 * finds them in the same lookup as static names: a record's name must lie inside one of
 * the zones and must not own a CNAME there. A and AAAA at a geo name come from the geo
 * view; other types there come from the zone file (usually none: NODATA).
 *
 * Validation: each zone needs its SOA and NS at the apex, no data outside the zone and
 * no CNAME beside other data. On failure returns NULL and *errors holds every problem,
 * one per line, each "FILE:LINE: what is wrong" (e.g. "zones/example.com.zone:12: CNAME
 * at www.example.com. has other data"); the caller frees *errors. On success *errors is
 * NULL. records may be NULL when record_count is 0. */
dnsd_zones_t *dnsd_zones_load(const conf_zone_t *zones, size_t zone_count,
			      const conf_record_t *records, size_t record_count, char **errors)
    M_NONNULL(5) M_WUR;

/* Frees the store; NULL is fine. */
void dnsd_zones_free(dnsd_zones_t *zones);

/* Number of zones, of names (including empty non-terminals) and bytes of memory used. */
size_t dnsd_zones_count(const dnsd_zones_t *zones) M_NONNULL_ALL M_PURE;
size_t dnsd_zones_names(const dnsd_zones_t *zones) M_NONNULL_ALL M_PURE;
size_t dnsd_zones_memory(const dnsd_zones_t *zones) M_NONNULL_ALL M_PURE;

/* Serial of the zone whose origin is `origin` (presentation form, trailing dot), or -1. */
int64_t dnsd_zones_serial(const dnsd_zones_t *zones, const char *origin) M_NONNULL_ALL M_PURE;

#endif
