/* SPDX-License-Identifier: MIT */
/* dnsd_zone.h -- the zone store: master files loaded with ldns into an immutable lookup table */
#ifndef MERIDIAN_DNSD_ZONE_H
#define MERIDIAN_DNSD_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

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

/* dnsd_zones_load(), with the datacenters the geo records name (dcs, dc_count; NULL, 0:
 * none) and the time signatures are made at: a zone with dnssec keys is signed when it
 * loads (docs/dnsd-answers.md), its geo names' A and AAAA answers too, one signed set
 * per datacenter and family. Key problems are reported like zone problems. */
dnsd_zones_t *dnsd_zones_load_at(const conf_zone_t *zones, size_t zone_count,
				 const conf_record_t *records, size_t record_count,
				 const conf_datacenter_t *dcs, size_t dc_count, time_t now,
				 char **errors) M_NONNULL(8) M_WUR;

/* How a zone signed at load was signed. */
typedef struct {
	unsigned keys;	    /* keys used, >= 1 */
	uint8_t algorithm;  /* DNSSEC algorithm number of the first key */
	uint16_t tags[8];   /* key tags of the first 8 keys */
	bool ksk[8];	    /* tags[i] has the SEP flag (257): it signs the DNSKEY set */
	time_t expiration;  /* signatures valid until, seconds since the epoch */
	time_t refresh_at;  /* when the zone is to be signed again, seconds since the epoch */
	bool nsec3;	    /* NSEC3 rather than NSEC */
} dnsd_zone_signing_t;

/* Signing state of the zone of index i (config order), or NULL when it is not signed
 * at load. */
const dnsd_zone_signing_t *dnsd_zones_signing(const dnsd_zones_t *zones, size_t i) M_NONNULL_ALL;

/* The earliest refresh_at of the zones signed at load; 0 when none is. */
time_t dnsd_zones_refresh_at(const dnsd_zones_t *zones) M_NONNULL_ALL;

/* Logs one line per zone signed at load: keys, NSEC/NSEC3, signatures valid until,
 * renewal at. */
void dnsd_zones_log_signing(const dnsd_zones_t *zones) M_NONNULL_ALL;

/* Frees the store; NULL is fine. */
void dnsd_zones_free(dnsd_zones_t *zones);

/* Number of zones, of names (including empty non-terminals) and bytes of memory used. */
size_t dnsd_zones_count(const dnsd_zones_t *zones) M_NONNULL_ALL M_PURE;
size_t dnsd_zones_names(const dnsd_zones_t *zones) M_NONNULL_ALL M_PURE;
size_t dnsd_zones_memory(const dnsd_zones_t *zones) M_NONNULL_ALL M_PURE;

/* Serial of the zone whose origin is `origin` (presentation form, trailing dot), or -1. */
int64_t dnsd_zones_serial(const dnsd_zones_t *zones, const char *origin) M_NONNULL_ALL M_PURE;

#endif
