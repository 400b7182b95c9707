/* SPDX-License-Identifier: MIT */
/* dnsd_zone_sign.h -- signing a zone when it loads, with ldns, and the geo answers it can give */
#ifndef MERIDIAN_DNSD_ZONE_SIGN_H
#define MERIDIAN_DNSD_ZONE_SIGN_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_zone.h"
#include "dnsd/dnsd_zone_read.h"

/* Concurrency: used by the loader thread only, while a zone store is built. */

/* A zone's keys and signature times, for one load. */
typedef struct dnsd_signer dnsd_signer_t;

/* A geo name of the zone being signed: the NSEC/NSEC3 chain must show it with the
 * families some candidate has (its A/AAAA answers are signed apart). */
typedef struct {
	const uint8_t *name; /* lower-case wire */
	size_t len;	     /* bytes of name */
	bool a, aaaa;	     /* some candidate datacenter has IPv4 / IPv6 addresses */
} dnsd_sign_geo_t;

/* Reads cz->dnssec_keys (each PATH.private, with PATH.key for its flags) for zone origin;
 * signatures made with it are valid from now - 1 h to now + validity. NULL with one
 * error per bad key file ("FILE: what") otherwise. */
dnsd_signer_t *dnsd_signer_new(const conf_zone_t *cz, const ldns_rdf *origin, time_t now,
			       dnsd_errors_t *errors) M_NONNULL_ALL M_WUR;
void dnsd_signer_free(dnsd_signer_t *s);

/* Signs the zone's records in list: RRSIG/NSEC/NSEC3/NSEC3PARAM already there are
 * dropped, DNSKEYs of the keys added (DNSKEYs in the file are kept: pre-published keys),
 * the NSEC or NSEC3 chain built (geo names included) and every set signed. Returns 0, or
 * -1 with an error naming the zone's file. */
int dnsd_signer_sign_zone(dnsd_signer_t *s, const char *file, dnsd_zrr_list_t *list,
			  const dnsd_sign_geo_t *geo, size_t geo_count, dnsd_errors_t *errors)
    M_NONNULL(1, 2, 3, 6) M_WUR;

/* Signs the A (alen 4) or AAAA (alen 16) set of count addresses at owner with ttl; calls
 * put(arg, rdata, rdlen) for each RRSIG made. Returns 0 or -1. */
int dnsd_signer_sign_set(dnsd_signer_t *s, const uint8_t *owner, size_t owner_len, uint16_t type,
			 uint32_t ttl, const uint8_t *addrs, unsigned count, unsigned alen,
			 int (*put)(void *arg, const uint8_t *rdata, size_t rdlen), void *arg)
    M_NONNULL(1, 2, 6, 9) M_WUR;

/* The signing state for status and logs. */
void dnsd_signer_info(const dnsd_signer_t *s, dnsd_zone_signing_t *info) M_NONNULL_ALL;

#endif
