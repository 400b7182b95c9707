/* SPDX-License-Identifier: MIT */
/* dnsd_answer_sec.c -- the answer path's DNSSEC and DNAME: signatures, denial proofs, synthesis */
#include "config.h"

#include <string.h>

#include "base/dns_wire.h"
#include "dnsd/dnsd_answer_int.h"
#include "dnsd/dnsd_packet.h"
#include "dnsd/dnsd_sec.h"


/* Everything here runs on the query path: it reads the immutable store, writes the
 * caller's response, allocates nothing and takes no lock (see dnsd_answer.h). */

bool dnsd_answer_add(answer_t *st, int sec, dnsd_owner_t owner, const dnsd_rrset_t *set,
		     uint32_t ttl)
{
	size_t len = st->r.len;
	unsigned comp = st->r.comp_count;
	const dnsd_rrset_t *sigs = st->dnssec ? set->sigs : NULL;

	/* never a set without its signatures, nor signatures cut to fit (RFC 4035 3.1.1) */
	if (dnsd_render_rrset(&st->r, owner, set, ttl) != 0 ||
	    (sigs != NULL && dnsd_render_rrset(&st->r, owner, sigs, ttl) != 0)) {
		st->r.len = len;
		st->r.comp_count = comp;
		if (sec != SEC_AR)
			st->tc = true;
		return false;
	}
	uint16_t count = (uint16_t)(set->count + (sigs != NULL ? sigs->count : 0));
	if (sec == SEC_AN)
		st->an += count;
	else if (sec == SEC_NS)
		st->ns += count;
	else
		st->ar += count;
	return true;
}

/* Writes the type-`type` set of denial owner n (with its RRSIGs) into authority, once. */
static void proof(answer_t *st, const dnsd_node_t *n, uint16_t type)
{
	if (n == NULL)
		return;
	for (unsigned i = 0; i < st->proof_count; i++)
		if (st->proofs[i] == n)
			return;
	const dnsd_rrset_t *set = dnsd_node_rrset(n, type);
	if (set == NULL)
		return;
	if (st->proof_count < PROOF_MAX)
		st->proofs[st->proof_count++] = n;
	(void)dnsd_answer_add(st, SEC_NS, (dnsd_owner_t){.name = n->name, .len = n->name_len}, set,
			      UINT32_MAX);
}

static bool nsec3_zone(const dnsd_zone_t *zone)
{
	return zone->nsec3_count > 0;
}

/* The NSEC3 owner matching (*match) or covering name. */
static const dnsd_node_t *nsec3_for(const dnsd_zone_t *zone, const uint8_t *name, size_t len,
				    bool *match)
{
	uint8_t hash[DNSD_NSEC3_HASH_LEN];
	dnsd_nsec3_hash(zone, name, len, hash);
	return dnsd_nsec3_find(zone, hash, match);
}

static unsigned label_count(const uint8_t *name)
{
	unsigned n = 0;
	for (size_t p = 0; name[p] != 0; p += 1 + (size_t)name[p])
		n++;
	return n;
}

/* The suffix of name with `labels` labels: its offset in name. */
static size_t suffix_at(const uint8_t *name, unsigned labels)
{
	unsigned skip = label_count(name) - labels;
	size_t p = 0;
	while (skip-- > 0)
		p += 1 + (size_t)name[p];
	return p;
}

/* "*." + ce into buf; its length, or 0 when too long. */
static size_t wildcard_of(const dnsd_node_t *ce, uint8_t buf[DNSD_NAME_MAX])
{
	if (ce->name_len + 2u > DNSD_NAME_MAX)
		return 0;
	buf[0] = 1;
	buf[1] = '*';
	memcpy(buf + 2, ce->name, ce->name_len);
	return ce->name_len + 2u;
}

/* RFC 5155 7.2.1: the closest encloser's NSEC3 (matching) and the one covering the next
 * closer name (the ancestor of name one label below the encloser). */
static void nsec3_encloser_proof(answer_t *st, const dnsd_zone_t *zone, const uint8_t *name,
				 size_t len, const uint8_t *ce, size_t ce_len)
{
	bool match;
	proof(st, nsec3_for(zone, ce, ce_len, &match), DNS_TYPE_NSEC3);
	size_t nc = suffix_at(name, label_count(ce) + 1);
	proof(st, nsec3_for(zone, name + nc, len - nc, &match), DNS_TYPE_NSEC3);
}

void dnsd_deny_name(answer_t *st, const dnsd_zone_t *zone, const uint8_t *name, size_t len,
		    const dnsd_node_t *ce)
{
	uint8_t wild[DNSD_NAME_MAX];
	size_t wlen = wildcard_of(ce, wild);
	bool match;

	if (nsec3_zone(zone)) {
		nsec3_encloser_proof(st, zone, name, len, ce->name, ce->name_len);
		if (wlen > 0)
			proof(st, nsec3_for(zone, wild, wlen, &match), DNS_TYPE_NSEC3);
		return;
	}
	proof(st, dnsd_nsec_find(zone, name, len, &match), DNS_TYPE_NSEC);
	if (wlen > 0)
		proof(st, dnsd_nsec_find(zone, wild, wlen, &match), DNS_TYPE_NSEC);
}

void dnsd_deny_type(answer_t *st, const dnsd_zone_t *zone, const uint8_t *name, size_t len)
{
	bool match;

	if (!nsec3_zone(zone)) {
		/* the name's NSEC; for an empty non-terminal the one covering it */
		proof(st, dnsd_nsec_find(zone, name, len, &match), DNS_TYPE_NSEC);
		return;
	}
	const dnsd_node_t *n3 = nsec3_for(zone, name, len, &match);
	if (match) {
		proof(st, n3, DNS_TYPE_NSEC3);
		return;
	}
	/* no NSEC3 of its own (opt-out, RFC 5155 7.2.4): the closest provable encloser
	 * and the opt-out NSEC3 covering the next closer name */
	for (size_t p = 0; name[p] != 0;) {
		p += 1 + (size_t)name[p];
		(void)nsec3_for(zone, name + p, len - p, &match);
		if (match) {
			nsec3_encloser_proof(st, zone, name, len, name + p, len - p);
			return;
		}
	}
}

void dnsd_deny_wildcard(answer_t *st, const dnsd_zone_t *zone, const uint8_t *name, size_t len,
			const dnsd_node_t *ce, bool nodata)
{
	uint8_t wild[DNSD_NAME_MAX];
	size_t wlen = wildcard_of(ce, wild);
	bool match;

	if (nsec3_zone(zone)) {
		/* RFC 5155 7.2.6: the next closer name is covered; 7.2.5 adds the encloser
		 * and the wildcard's own NSEC3 for a NODATA */
		size_t nc = suffix_at(name, ce->labels + 1u);
		if (nodata)
			proof(st, nsec3_for(zone, ce->name, ce->name_len, &match), DNS_TYPE_NSEC3);
		proof(st, nsec3_for(zone, name + nc, len - nc, &match), DNS_TYPE_NSEC3);
		if (nodata && wlen > 0)
			proof(st, nsec3_for(zone, wild, wlen, &match), DNS_TYPE_NSEC3);
		return;
	}
	proof(st, dnsd_nsec_find(zone, name, len, &match), DNS_TYPE_NSEC);
	if (nodata && wlen > 0)
		proof(st, dnsd_nsec_find(zone, wild, wlen, &match), DNS_TYPE_NSEC);
}

void dnsd_deny_ds_at_cut(answer_t *st, const dnsd_node_t *cut)
{
	const dnsd_rrset_t *ds = dnsd_node_rrset(cut, DNS_TYPE_DS);
	if (ds != NULL) {
		(void)dnsd_answer_add(st, SEC_NS,
				      (dnsd_owner_t){.name = cut->name, .len = cut->name_len}, ds,
				      UINT32_MAX);
		return;
	}
	/* RFC 4035 3.1.4 / RFC 5155 7.2.7: an insecure delegation's proof */
	dnsd_deny_type(st, cut->zone, cut->name, cut->name_len);
}

const uint8_t *dnsd_dname_answer(answer_t *st, const dnsd_node_t *n, const dnsd_rrset_t *dname,
				 const uint8_t *name, size_t len, unsigned depth,
				 size_t *target_len)
{
	dnsd_owner_t owner = {.name = depth ? name : NULL, .len = (uint16_t)len};

	if (!dnsd_answer_add(st, SEC_AN, (dnsd_owner_t){.name = n->name, .len = n->name_len},
			     dname, UINT32_MAX))
		return NULL;
	const dnsd_rr_t *rr = &dname->rrs[0];
	size_t prefix = len - n->name_len;
	if (prefix + rr->rdlen > DNSD_NAME_MAX) {
		st->rcode = DNS_RCODE_YXDOMAIN; /* RFC 6672 2.2 */
		return NULL;
	}
	if (depth >= CHASE_MAX)
		return NULL;
	uint8_t *target = st->synth[depth];
	memcpy(target, name, prefix);
	memcpy(target + prefix, rr->rdata, rr->rdlen);
	for (size_t i = prefix; i < prefix + rr->rdlen; i++)
		if (target[i] >= 'A' && target[i] <= 'Z')
			target[i] |= 0x20;
	*target_len = prefix + rr->rdlen;
	/* the CNAME is made here, not signed: the DNAME's signature covers it (RFC 6672 5.3.1) */
	dnsd_rr_t cname_rr = {.rdata = target,
			      .rdlen = (uint16_t)*target_len,
			      .name_off = {0, DNSD_NO_NAME}};
	dnsd_rrset_t cname = {.type = DNS_TYPE_CNAME, .count = 1, .ttl = dname->ttl, .rrs = &cname_rr};
	if (!dnsd_answer_add(st, SEC_AN, owner, &cname, UINT32_MAX))
		return NULL;
	if (st->q->qtype == DNS_TYPE_CNAME)
		return NULL;
	return target;
}

const dnsd_rrset_t *dnsd_geo_sigs(const dnsd_zones_t *zones, size_t record, size_t dc, bool aaaa)
{
	if (zones->geo_sigs == NULL || record >= zones->geo_record_count ||
	    dc >= zones->geo_dc_count)
		return NULL;
	return zones->geo_sigs[(record * zones->geo_dc_count + dc) * 2 + (aaaa ? 1 : 0)];
}

/* NODATA at node n for the name at depth: the SOA and, signed, the proof that the type
 * is absent there (or at the wildcard that answers for the name). */
void dnsd_answer_nodata(answer_t *st, const dnsd_node_t *n, unsigned depth)
{
	const dnsd_zone_t *zone = n->zone;
	/* RFC 2308: the SOA with the negative TTL */
	(void)dnsd_answer_add(st, SEC_NS,
			      (dnsd_owner_t){.name = zone->apex->name, .len = zone->apex->name_len},
			      zone->soa, zone->neg_ttl);
	if (!st->dnssec)
		return;
	if (st->wild_ce != NULL)
		dnsd_deny_wildcard(st, n->zone, st->chain[depth], st->chain_len[depth], st->wild_ce,
				   true);
	else
		dnsd_deny_type(st, n->zone, st->chain[depth], st->chain_len[depth]);
}

/* Offset of the target name in the rdata of an NS, MX or SRV record. */
static size_t target_field(uint16_t type)
{
	return type == DNS_TYPE_MX ? 2 : type == DNS_TYPE_SRV ? 6 : 0;
}

/* A and AAAA of the names NS/MX/SRV records point to, where we hold them (by name or
 * through a wildcard, RFC 1034 4.3.2 step 6 and RFC 2782), when they fit. The owner is
 * the target as the record names it, so a wildcard's data is owned by that name. */
void dnsd_answer_additional(answer_t *st, const dnsd_rrset_t *set)
{
	if (set->type != DNS_TYPE_NS && set->type != DNS_TYPE_MX && set->type != DNS_TYPE_SRV)
		return;
	for (unsigned i = 0; i < set->count; i++) {
		const dnsd_rr_t *rr = &set->rrs[i];
		const dnsd_node_t *t = rr->target;
		if (t == NULL)
			continue;
		size_t field = target_field(set->type);
		dnsd_owner_t owner = {.name = rr->rdata + field,
				      .len = (uint16_t)(rr->target_len)};
		const dnsd_rrset_t *a = dnsd_node_rrset(t, DNS_TYPE_A);
		const dnsd_rrset_t *aaaa = dnsd_node_rrset(t, DNS_TYPE_AAAA);
		if (a != NULL)
			(void)dnsd_answer_add(st, SEC_AR, owner, a, UINT32_MAX);
		if (aaaa != NULL)
			(void)dnsd_answer_add(st, SEC_AR, owner, aaaa, UINT32_MAX);
	}
}

/* Appends an Extended DNS Error option (RFC 8914, no text) to the OPT record at p whose
 * length is opt_len; returns the new length. */
size_t dnsd_opt_add_ede(uint8_t *p, size_t opt_len, uint16_t info)
{
	dnsd_put16(p + opt_len, 15 /* EDE */);
	dnsd_put16(p + opt_len + 2, 2);
	dnsd_put16(p + opt_len + 4, info);
	dnsd_put16(p + 9, (uint16_t)(opt_len + 6 - 11));
	return opt_len + 6;
}
