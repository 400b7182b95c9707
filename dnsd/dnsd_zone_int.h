/* SPDX-License-Identifier: MIT */
/* dnsd_zone_int.h -- the zone store being built, shared by the loader's files */
#ifndef MERIDIAN_DNSD_ZONE_INT_H
#define MERIDIAN_DNSD_ZONE_INT_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_db.h"
#include "dnsd/dnsd_zone_read.h"
#include "dnsd/dnsd_zone_sign.h"

/* Concurrency: one build_t per dnsd_zones_load_at() call, on the loader's thread. */

/* One load in progress. */
typedef struct {
	dnsd_zones_t *z; /* the result being built */
	dnsd_errors_t errors; /* messages collected while loading */
	bool oom; /* an allocation failed: the load fails */
	const conf_record_t *records; /* the geo records (signed zones sign their answers) */
	size_t record_count; /* entries in records */
	const conf_datacenter_t *dcs; /* their datacenters, or NULL */
	size_t dc_count; /* entries in dcs */
	time_t now; /* signatures are made at this time */
} build_t;

/* Zeroed arena memory that lives as long as the store; NULL (and b->oom) when out. */
void *dnsd_build_alloc(build_t *b, size_t size) M_NONNULL_ALL;
/* The served zone deepest above lower-case wire name, or NULL. */
dnsd_zone_t *dnsd_build_zone_of(build_t *b, const uint8_t *name, size_t len) M_NONNULL_ALL;
/* ASCII lower case, in place. */
void dnsd_name_lower(uint8_t *p, size_t len) M_NONNULL_ALL;

/* Gives each set of node n the RRSIGs covering it (set->sigs), from n's RRSIG set. */
void dnsd_build_sigs_link(build_t *b, dnsd_node_t *n) M_NONNULL_ALL;

/* After a load that signed a zone: returns the heap ldns's records of the signing left
 * free to the system (glibc's malloc_trim), so the resident size is the store's. */
void dnsd_build_release(const build_t *b) M_NONNULL_ALL;

/* Signs zone's records in list with cz's keys, the zone's geo names in the chain
 * (dnsd_zone_signed.c); returns the signer for dnsd_build_geo_sign(), or NULL (reported). */
dnsd_signer_t *dnsd_build_zone_sign(build_t *b, dnsd_zone_t *zone, const conf_zone_t *cz,
				    const ldns_rdf *origin, dnsd_zrr_list_t *list) M_NONNULL_ALL;
/* Signs each candidate datacenter's A and AAAA set of each geo record of zone into
 * b->z->geo_sigs. */
void dnsd_build_geo_sign(build_t *b, const dnsd_zone_t *zone, dnsd_signer_t *signer)
    M_NONNULL_ALL;

#endif
