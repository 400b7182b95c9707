/* SPDX-License-Identifier: MIT */
/* dnsd_zone_signed.c -- the zone store's side of DNSSEC: signatures by set, signing at load, geo answers */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "base/log.h"
#include "dnsd/dnsd_zone_int.h"

static void sigs_wire(build_t *b, dnsd_rrset_t *sigs);

/* The lower-case wire form of geo record i's name into name; its length, 0 if bad. */
static size_t record_wire(const conf_record_t *rec, uint8_t name[255])
{
	ldns_rdf *d = NULL;
	if (ldns_str2rdf_dname(&d, rec->name) != LDNS_STATUS_OK)
		return 0;
	size_t len = ldns_rdf_size(d);
	memcpy(name, ldns_rdf_data(d), len);
	ldns_rdf_deep_free(d);
	dnsd_name_lower(name, len);
	return len;
}

/* Whether record rec has a candidate datacenter with an address of family (AF_INET 2 /
 * AF_INET6 10); without datacenters (tests) both are assumed. */
static bool record_has(const build_t *b, const conf_record_t *rec, int family)
{
	if (b->dcs == NULL)
		return true;
	for (size_t k = 0; k < rec->datacenter_count; k++) {
		size_t d = rec->datacenters[k];
		for (size_t a = 0; d < b->dc_count && a < b->dcs[d].address_count; a++)
			if (b->dcs[d].addresses[a].family == family)
				return true;
	}
	return false;
}

/* Signs zone's records in list with cz's keys (the geo names of the zone in the chain);
 * returns the signer for geo_sign(), or NULL (reported). */
dnsd_signer_t *dnsd_build_zone_sign(build_t *b, dnsd_zone_t *zone, const conf_zone_t *cz,
				    const ldns_rdf *origin, dnsd_zrr_list_t *list)
{
	dnsd_signer_t *signer = dnsd_signer_new(cz, origin, b->now, &b->errors);
	if (signer == NULL)
		return NULL;
	dnsd_sign_geo_t *geo = calloc(b->record_count + 1, sizeof(*geo));
	uint8_t(*names)[255] = calloc(b->record_count + 1, sizeof(*names));
	size_t n = 0;
	if (geo == NULL || names == NULL) {
		b->oom = true;
		goto fail;
	}
	for (size_t i = 0; i < b->record_count; i++) {
		size_t len = record_wire(&b->records[i], names[n]);
		if (len == 0 || dnsd_build_zone_of(b, names[n], len) != zone)
			continue;
		geo[n] = (dnsd_sign_geo_t){.name = names[n],
					   .len = len,
					   .a = record_has(b, &b->records[i], 2),
					   .aaaa = record_has(b, &b->records[i], 10)};
		n++;
	}
	if (dnsd_signer_sign_zone(signer, cz->file, list, geo, n, &b->errors) != 0)
		goto fail;
	dnsd_zone_signing_t *info = dnsd_build_alloc(b, sizeof(*info));
	if (info == NULL)
		goto fail;
	dnsd_signer_info(signer, info);
	zone->signing = info;
	free(geo);
	free(names);
	return signer;
fail:
	free(geo);
	free(names);
	dnsd_signer_free(signer);
	return NULL;
}

/* Collects the RRSIGs of one geo set into an arena rrset. */
typedef struct {
	build_t *b;	       /* the build (arena) */
	dnsd_rrset_t *set;     /* being filled; rrs has room for 8 */
	dnsd_rr_t *rrs;	       /* its records */
} geo_sig_sink_t;

static int geo_sig_put(void *arg, const uint8_t *rdata, size_t rdlen)
{
	geo_sig_sink_t *sink = arg;
	if (sink->set->count >= 8 || rdlen > 65535)
		return -1;
	uint8_t *copy = dnsd_build_alloc(sink->b, rdlen);
	if (copy == NULL)
		return -1;
	memcpy(copy, rdata, rdlen);
	dnsd_rr_t *rr = &sink->rrs[sink->set->count++];
	rr->rdata = copy;
	rr->rdlen = (uint16_t)rdlen;
	rr->name_off[0] = rr->name_off[1] = DNSD_NO_NAME;
	return 0;
}

/* Signs, for each geo record of zone, each candidate datacenter's A and AAAA sets (what a
 * geo answer can be: the pick or the fail-open pick), into z->geo_sigs. */
void dnsd_build_geo_sign(build_t *b, const dnsd_zone_t *zone, dnsd_signer_t *signer)
{
	dnsd_zones_t *z = b->z;
	if (b->dcs == NULL || b->record_count == 0)
		return;
	if (z->geo_sigs == NULL) {
		z->geo_sigs = calloc(b->record_count * b->dc_count * 2 + 1, sizeof(*z->geo_sigs));
		if (z->geo_sigs == NULL) {
			b->oom = true;
			return;
		}
		z->geo_dc_count = b->dc_count;
		z->geo_record_count = b->record_count;
		z->memory += (b->record_count * b->dc_count * 2 + 1) * sizeof(*z->geo_sigs);
	}
	for (size_t i = 0; i < b->record_count; i++) {
		const conf_record_t *rec = &b->records[i];
		uint8_t name[255];
		size_t len = record_wire(rec, name);
		if (len == 0 || dnsd_build_zone_of(b, name, len) != zone)
			continue;
		for (size_t k = 0; k < rec->datacenter_count; k++) {
			size_t d = rec->datacenters[k];
			if (d >= b->dc_count)
				continue;
			const conf_datacenter_t *dc = &b->dcs[d];
			for (int fam = 0; fam < 2; fam++) {
				uint8_t addrs[255 * 16];
				unsigned count = 0, alen = fam ? 16 : 4;
				for (size_t a = 0; a < dc->address_count && count < 255; a++)
					if (dc->addresses[a].family == (fam ? 10 : 2))
						memcpy(addrs + alen * count++, dc->addresses[a].bytes,
						       alen);
				size_t slot = (i * b->dc_count + d) * 2 + (size_t)fam;
				if (count == 0 || z->geo_sigs[slot] != NULL)
					continue;
				dnsd_rrset_t *set = dnsd_build_alloc(b, sizeof(*set));
				dnsd_rr_t *rrs = dnsd_build_alloc(b, 8 * sizeof(*rrs));
				if (set == NULL || rrs == NULL)
					return;
				set->type = LDNS_RR_TYPE_RRSIG;
				set->ttl = rec->ttl;
				set->rrs = rrs;
				geo_sig_sink_t sink = {.b = b, .set = set, .rrs = rrs};
				if (dnsd_signer_sign_set(signer, name, len,
							 fam ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A,
							 rec->ttl, addrs, count, alen, geo_sig_put,
							 &sink) != 0) {
					dnsd_errors_add(&b->errors, "records: %s: signing failed",
							rec->name);
					return;
				}
				sigs_wire(b, set);
				z->geo_sigs[slot] = set;
			}
		}
	}
}

/* Gives each set of n the RRSIGs covering it: a set of type RRSIG whose records are the
 * run of n's RRSIG set with that covered type (the set is sorted by rdata, which starts
 * with the type covered), with the covered set's TTL (RFC 4034 3). */
/* The signatures rendered whole for an answer owned by the question name (pointer
 * 0xC00C) with the covered set's TTL, as a set without names has (dnsd_rrset_t.wire):
 * a DO answer copies them in one move. Left NULL when memory runs out (rendered per
 * record then). */
static void sigs_wire(build_t *b, dnsd_rrset_t *sigs)
{
	size_t len = 0;
	for (unsigned i = 0; i < sigs->count; i++)
		len += 12u + sigs->rrs[i].rdlen;
	uint8_t *w = dnsd_build_alloc(b, len);
	if (w == NULL)
		return;
	sigs->wire = w;
	sigs->wire_len = (uint32_t)len;
	for (unsigned i = 0; i < sigs->count; i++) {
		const dnsd_rr_t *rr = &sigs->rrs[i];
		uint8_t fixed[12] = {0xC0, 0x0C, 0, LDNS_RR_TYPE_RRSIG, 0, 1,
				     (uint8_t)(sigs->ttl >> 24), (uint8_t)(sigs->ttl >> 16),
				     (uint8_t)(sigs->ttl >> 8), (uint8_t)sigs->ttl,
				     (uint8_t)(rr->rdlen >> 8), (uint8_t)rr->rdlen};
		memcpy(w, fixed, sizeof(fixed));
		memcpy(w + 12, rr->rdata, rr->rdlen);
		w += 12u + rr->rdlen;
	}
}

void dnsd_build_sigs_link(build_t *b, dnsd_node_t *n)
{
	const dnsd_rrset_t *all = dnsd_node_rrset(n, LDNS_RR_TYPE_RRSIG);
	if (all == NULL)
		return;
	for (unsigned s = 0; s < n->rrset_count; s++) {
		dnsd_rrset_t *set = (dnsd_rrset_t *)&n->rrsets[s];
		unsigned first = all->count, count = 0;
		for (unsigned r = 0; r < all->count; r++) {
			const dnsd_rr_t *rr = &all->rrs[r];
			if (rr->rdlen < 2 || (rr->rdata[0] << 8 | rr->rdata[1]) != set->type)
				continue;
			if (first == all->count)
				first = r;
			count++;
		}
		if (count == 0 || set->type == LDNS_RR_TYPE_RRSIG)
			continue;
		dnsd_rrset_t *sigs = dnsd_build_alloc(b, sizeof(*sigs));
		if (sigs == NULL)
			return;
		sigs->type = LDNS_RR_TYPE_RRSIG;
		sigs->count = (uint16_t)count;
		sigs->ttl = set->ttl;
		sigs->rrs = all->rrs + first;
		set->sigs = sigs;
		sigs_wire(b, sigs);
	}
}

const dnsd_zone_signing_t *dnsd_zones_signing(const dnsd_zones_t *zones, size_t i)
{
	return i < zones->zone_count ? zones->zones[i].signing : NULL;
}

time_t dnsd_zones_refresh_at(const dnsd_zones_t *zones)
{
	time_t at = 0;
	for (size_t i = 0; i < zones->zone_count; i++) {
		const dnsd_zone_signing_t *s = zones->zones[i].signing;
		if (s != NULL && (at == 0 || s->refresh_at < at))
			at = s->refresh_at;
	}
	return at;
}

void dnsd_build_release(const build_t *b)
{
	bool signed_any = false;
	for (size_t i = 0; i < b->z->zone_count; i++)
		signed_any |= b->z->zones[i].signing != NULL;
#ifdef __GLIBC__
	if (signed_any)
		(void)malloc_trim(0);
#else
	(void)signed_any;
#endif
}

void dnsd_zones_log_signing(const dnsd_zones_t *zones)
{
	for (size_t i = 0; i < zones->zone_count; i++) {
		const dnsd_zone_signing_t *s = zones->zones[i].signing;
		if (s == NULL)
			continue;
		char keys[256] = "", until[32], renew[32];
		size_t len = 0;
		for (unsigned k = 0; k < s->keys && k < 8 && len < sizeof(keys); k++) {
			int w = snprintf(keys + len, sizeof(keys) - len, "%s%u %s", k ? ", " : "",
					 s->tags[k], s->ksk[k] ? "KSK" : "ZSK");
			if (w < 0)
				break;
			len += (size_t)w;
		}
		struct tm tm;
		gmtime_r(&s->expiration, &tm);
		strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
		gmtime_r(&s->refresh_at, &tm);
		strftime(renew, sizeof(renew), "%Y-%m-%dT%H:%M:%SZ", &tm);
		log_info("zone %s signed at load: %u keys (algorithm %u: %s), %s, signatures "
			 "valid until %s, renewal at %s",
			 zones->zones[i].origin, s->keys, s->algorithm, keys,
			 s->nsec3 ? "NSEC3" : "NSEC", until, renew);
	}
}
