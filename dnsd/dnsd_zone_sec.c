/* SPDX-License-Identifier: MIT */
/* dnsd_zone_sec.c -- DNSSEC data of a loaded zone: the NSEC and NSEC3 chains, ordered for denial */
#include "config.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/dnsd_sec.h"

#define T_NSEC 47
#define T_DNSKEY 48
#define T_NSEC3 50
#define T_NSEC3PARAM 51

/* Offsets of the labels of a wire name, and their number (the root not counted). */
static unsigned labels_of(const uint8_t *name, size_t len, uint8_t off[128])
{
	unsigned n = 0;
	for (size_t p = 0; p < len && name[p] != 0 && n < 128; p += 1 + (size_t)name[p])
		off[n++] = (uint8_t)p;
	return n;
}

int dnsd_name_canon_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t ao[128], bo[128];
	unsigned an = labels_of(a, alen, ao);
	unsigned bn = labels_of(b, blen, bo);

	/* from the rightmost label leftwards; a name sorts before its descendants */
	while (an > 0 && bn > 0) {
		const uint8_t *la = a + ao[--an];
		const uint8_t *lb = b + bo[--bn];
		size_t n = la[0] < lb[0] ? la[0] : lb[0];
		int c = memcmp(la + 1, lb + 1, n);
		if (c != 0)
			return c;
		if (la[0] != lb[0])
			return la[0] < lb[0] ? -1 : 1;
	}
	return an == bn ? 0 : an < bn ? -1 : 1;
}

static int node_canon_cmp(const void *pa, const void *pb)
{
	const dnsd_node_t *a = *(const dnsd_node_t *const *)pa;
	const dnsd_node_t *b = *(const dnsd_node_t *const *)pb;
	return dnsd_name_canon_cmp(a->name, a->name_len, b->name, b->name_len);
}

static int nsec3_cmp(const void *pa, const void *pb)
{
	return memcmp(((const dnsd_nsec3_t *)pa)->hash, ((const dnsd_nsec3_t *)pb)->hash,
		      DNSD_NSEC3_HASH_LEN);
}

/* base32hex (RFC 4648 7, lower case) of 32 characters into 20 bytes; -1 if not one. */
static int base32hex_decode(const uint8_t *text, size_t len, uint8_t out[DNSD_NSEC3_HASH_LEN])
{
	uint64_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	if (len != 32)
		return -1;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = text[i];
		unsigned v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'v')
			v = 10u + (c - 'a');
		else
			return -1;
		acc = acc << 5 | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o == DNSD_NSEC3_HASH_LEN ? 0 : -1;
}

/* Whether node n (of the table or a parent's cut) belongs in zone's chains. */
static void chain_add(dnsd_zone_t *zone, const dnsd_node_t *n, const dnsd_node_t **nsec,
		      dnsd_nsec3_t *nsec3)
{
	if (dnsd_node_rrset(n, T_NSEC) != NULL && nsec != NULL)
		nsec[zone->nsec_count++] = n;
	if (dnsd_node_rrset(n, T_NSEC3) != NULL && nsec3 != NULL &&
	    base32hex_decode(n->name + 1, n->name[0], nsec3[zone->nsec3_count].hash) == 0)
		nsec3[zone->nsec3_count++].node = n;
}

static int zone_index(dnsd_zones_t *z, dnsd_zone_t *zone)
{
	size_t nsec = 0, nsec3 = 0;
	const dnsd_node_t *extra[64];
	size_t extra_count = 0;

	zone->secure = zone->apex && dnsd_node_rrset(zone->apex, T_DNSKEY) != NULL;
	if (!zone->secure)
		return 0;
	/* the parent's side of served children's cuts is in no table slot */
	for (size_t i = 0; i < z->zone_count; i++) {
		const dnsd_node_t *pc = z->zones[i].parent_cut;
		if (pc != NULL && pc->zone == zone && extra_count < 64)
			extra[extra_count++] = pc;
	}
	for (uint32_t i = 0; i <= z->mask; i++) {
		const dnsd_node_t *n = z->slots[i].node;
		if (n == NULL || n->zone != zone)
			continue;
		nsec += dnsd_node_rrset(n, T_NSEC) != NULL;
		nsec3 += dnsd_node_rrset(n, T_NSEC3) != NULL;
	}
	nsec += extra_count;
	const dnsd_node_t **nv = nsec ? calloc(nsec, sizeof(*nv)) : NULL;
	dnsd_nsec3_t *n3 = nsec3 ? calloc(nsec3, sizeof(*n3)) : NULL;
	if ((nsec && nv == NULL) || (nsec3 && n3 == NULL)) {
		free(nv);
		free(n3);
		return -1;
	}
	zone->nsec = nv;
	zone->nsec3 = n3;
	for (uint32_t i = 0; i <= z->mask; i++) {
		const dnsd_node_t *n = z->slots[i].node;
		if (n != NULL && n->zone == zone)
			chain_add(zone, n, nv, n3);
	}
	for (size_t i = 0; i < extra_count; i++)
		chain_add(zone, extra[i], nv, NULL);
	if (zone->nsec_count > 0)
		qsort(nv, zone->nsec_count, sizeof(*nv), node_canon_cmp);
	if (zone->nsec3_count > 0)
		qsort(n3, zone->nsec3_count, sizeof(*n3), nsec3_cmp);
	z->memory += nsec * sizeof(*nv) + nsec3 * sizeof(*n3);

	/* NSEC3PARAM: hash algorithm, flags, iterations, salt length, salt */
	const dnsd_rrset_t *param = dnsd_node_rrset(zone->apex, T_NSEC3PARAM);
	if (param != NULL && param->rrs[0].rdlen >= 5) {
		const uint8_t *rd = param->rrs[0].rdata;
		zone->nsec3_iterations = (uint16_t)(rd[2] << 8 | rd[3]);
		zone->nsec3_salt_len = rd[4];
		if (5u + rd[4] <= param->rrs[0].rdlen)
			memcpy(zone->nsec3_salt, rd + 5, rd[4]);
		else
			zone->nsec3_salt_len = 0;
	}
	return 0;
}

int dnsd_zones_sec_index(dnsd_zones_t *z)
{
	for (size_t i = 0; i < z->zone_count; i++)
		if (zone_index(z, &z->zones[i]) != 0)
			return -1;
	return 0;
}

void dnsd_zone_sec_free(dnsd_zone_t *zone)
{
	free(zone->nsec);
	free(zone->nsec3);
	zone->nsec = NULL;
	zone->nsec3 = NULL;
}

const dnsd_node_t *dnsd_nsec_find(const dnsd_zone_t *zone, const uint8_t *name, size_t len,
				  bool *match)
{
	size_t lo = 0, hi = zone->nsec_count;

	*match = false;
	if (hi == 0)
		return NULL;
	/* the last owner <= name; before the first (cannot happen inside the zone: the
	 * apex sorts first) the last one covers, as the chain wraps */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const dnsd_node_t *n = zone->nsec[mid];
		int c = dnsd_name_canon_cmp(n->name, n->name_len, name, len);
		if (c == 0) {
			*match = true;
			return n;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return zone->nsec[lo == 0 ? zone->nsec_count - 1 : lo - 1];
}

void dnsd_nsec3_hash(const dnsd_zone_t *zone, const uint8_t *name, size_t len,
		     uint8_t hash[DNSD_NSEC3_HASH_LEN])
{
	uint8_t buf[255 + 255];

	memcpy(buf, name, len);
	memcpy(buf + len, zone->nsec3_salt, zone->nsec3_salt_len);
	SHA1(buf, len + zone->nsec3_salt_len, hash);
	for (unsigned i = 0; i < zone->nsec3_iterations; i++) {
		memcpy(buf, hash, DNSD_NSEC3_HASH_LEN);
		memcpy(buf + DNSD_NSEC3_HASH_LEN, zone->nsec3_salt, zone->nsec3_salt_len);
		SHA1(buf, DNSD_NSEC3_HASH_LEN + zone->nsec3_salt_len, hash);
	}
}

const dnsd_node_t *dnsd_nsec3_find(const dnsd_zone_t *zone, const uint8_t *hash, bool *match)
{
	size_t lo = 0, hi = zone->nsec3_count;

	*match = false;
	if (hi == 0)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(zone->nsec3[mid].hash, hash, DNSD_NSEC3_HASH_LEN);
		if (c == 0) {
			*match = true;
			return zone->nsec3[mid].node;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the hash before it covers it; below the first, the last one (the chain wraps) */
	return zone->nsec3[lo == 0 ? zone->nsec3_count - 1 : lo - 1].node;
}
