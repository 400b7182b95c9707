/* SPDX-License-Identifier: MIT */
/* dnsd_sec.h -- DNSSEC data of a loaded zone: the NSEC and NSEC3 chains, ordered for denial */
#ifndef MERIDIAN_DNSD_SEC_H
#define MERIDIAN_DNSD_SEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "dnsd/dnsd_db.h"

/* Concurrency: dnsd_zones_sec_index() runs on the loader's thread while the store is
 * built; afterwards the chains are read-only like the rest of the store, and the finders
 * below only read (no allocation, no lock: the query path calls them). */

#define DNSD_NSEC3_HASH_LEN 20 /* SHA-1, the only NSEC3 hash algorithm (RFC 5155) */

/* One NSEC3 record of a zone's chain: the hash its owner names and the owner's node. */
struct dnsd_nsec3 {
	uint8_t hash[DNSD_NSEC3_HASH_LEN]; /* decoded from the owner's first label */
	const dnsd_node_t *node;	   /* owner of the NSEC3 record */
};

/* Orders two lower-case wire names canonically (RFC 4034 6.1): <0, 0, >0. */
int dnsd_name_canon_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
    M_NONNULL_ALL M_PURE;

/* Finds, for each zone of z, whether it is signed (DNSKEY at the apex), its NSEC chain
 * in canonical order and its NSEC3 chain (with the NSEC3PARAM parameters) in hash order.
 * Returns 0, or -1 when memory runs out. */
int dnsd_zones_sec_index(dnsd_zones_t *z) M_NONNULL_ALL M_WUR;

/* Frees what dnsd_zones_sec_index() gave zone. */
void dnsd_zone_sec_free(dnsd_zone_t *zone) M_NONNULL_ALL;

/* The NSEC owner of zone that matches (*match) or covers lower-case wire name, or NULL
 * when the zone has no NSEC chain. */
const dnsd_node_t *dnsd_nsec_find(const dnsd_zone_t *zone, const uint8_t *name, size_t len,
				  bool *match) M_NONNULL_ALL;

/* The NSEC3 hash of name with zone's parameters into hash (RFC 5155 5). */
void dnsd_nsec3_hash(const dnsd_zone_t *zone, const uint8_t *name, size_t len,
		     uint8_t hash[DNSD_NSEC3_HASH_LEN]) M_NONNULL_ALL;

/* The NSEC3 owner of zone matching (*match) or covering hash, or NULL without a chain. */
const dnsd_node_t *dnsd_nsec3_find(const dnsd_zone_t *zone, const uint8_t *hash, bool *match)
    M_NONNULL_ALL;

#endif
