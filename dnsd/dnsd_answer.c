/* SPDX-License-Identifier: MIT */
/* dnsd_answer.c -- the query path: parse, look up, render; no allocation, no lock */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsd/dnsd_answer.h"
#include "base/dns_wire.h"
#include "dnsd/dnsd_answer_int.h"
#include "dnsd/dnsd_db.h"
#include "dnsd/dnsd_packet.h"
#include "dnsd/dnsd_render.h"

#define EDE_NOT_AUTHORITATIVE 20

#define UDP_PAYLOAD_DEFAULT 1232

static bool add(answer_t *st, int sec, dnsd_owner_t owner, const dnsd_rrset_t *set, uint32_t ttl)
{
	return dnsd_answer_add(st, sec, owner, set, ttl);
}

static dnsd_owner_t owner_of(const dnsd_node_t *n)
{
	return (dnsd_owner_t){.name = n->name, .len = n->name_len};
}

/* RFC 2308: the zone's SOA in authority, with the negative TTL. */
static void negative(answer_t *st, const dnsd_zone_t *zone)
{
	(void)add(st, SEC_NS, owner_of(zone->apex), zone->soa, zone->neg_ttl);
}

/* Glue of a referral to cut, in-domain (servers at or below the cut: their cut is this
 * one) or sibling (any other server we hold addresses of). RFC 9471: in-domain glue that
 * does not fit truncates the referral; sibling glue that does not fit is left out. */
static void glue(answer_t *st, const dnsd_rrset_t *ns, const dnsd_node_t *cut, bool in_domain)
{
	for (unsigned i = 0; i < ns->count; i++) {
		const dnsd_node_t *t = ns->rrs[i].target;
		if (t == NULL || ns->rrs[i].target_wild || (t->cut == cut) != in_domain)
			continue;
		const dnsd_rrset_t *a = dnsd_node_rrset(t, DNS_TYPE_A);
		const dnsd_rrset_t *aaaa = dnsd_node_rrset(t, DNS_TYPE_AAAA);
		if (a != NULL && !add(st, SEC_AR, owner_of(t), a, UINT32_MAX) && in_domain)
			st->tc = true;
		if (aaaa != NULL && !add(st, SEC_AR, owner_of(t), aaaa, UINT32_MAX) && in_domain)
			st->tc = true;
	}
}

/* A referral to cut. At depth 0 it is the whole answer (AA clear); after a CNAME the
 * answer section is ours and keeps AA, as NSD and Knot DNS do (RFC 1034 4.3.2 restarts
 * the lookup at the target, which ends in the referral). */
static void referral(answer_t *st, const dnsd_node_t *cut, unsigned depth)
{
	const dnsd_rrset_t *ns = dnsd_node_rrset(cut, DNS_TYPE_NS);

	if (depth == 0)
		st->aa = false;
	st->referral = true;
	if (ns != NULL && add(st, SEC_NS, owner_of(cut), ns, UINT32_MAX)) {
		if (st->dnssec)
			dnsd_deny_ds_at_cut(st, cut); /* DS and its RRSIG, or no-DS proof */
		/* in-domain first: sibling glue must not take the room it needs */
		glue(st, ns, cut, true);
		if (!st->tc)
			glue(st, ns, cut, false);
	}
}

/* The client address the geo lookup uses: ECS when it has a prefix, else the source. */
static void geo_client(const dnsd_query_t *q, const dnsd_client_t *client, int *family,
		       const uint8_t **addr, unsigned *prefix)
{
	if (q->has_ecs && q->ecs_source > 0) {
		*family = q->ecs_family == 1 ? AF_INET : AF_INET6;
		*addr = q->ecs_addr;
		*prefix = q->ecs_source;
		return;
	}
	*family = client->family;
	*addr = client->addr;
	*prefix = client->family == AF_INET ? 32 : 128;
}

/* The pick's question for a client of the answer path (geo_pick.h): the order the
 * lookup gave, the family qtype asks for, and the client network the answer is hashed
 * by when the record splits (the same one geo_client() looked up). */
static M_ALWAYS_INLINE void pick_query(geo_pick_query_t *pq, const dnsd_query_t *q,
				       const dnsd_client_t *client, const uint16_t *order,
				       unsigned count, unsigned scope, uint16_t qtype)
{
	pq->order = order;
	pq->count = count;
	pq->family = qtype == DNS_TYPE_AAAA ? AF_INET6 : AF_INET;
	geo_client(q, client, &pq->client_family, &pq->client, &pq->source_prefix);
	pq->scope = scope;
	pq->split = NULL;
}

/* The ECS scope a response carries for a lookup's scope: 0 when the client asked
 * "do not use my address" (source prefix 0, RFC 7871 7.1.2), never past the family's
 * length. */
static uint8_t ecs_scope(const dnsd_query_t *q, unsigned scope)
{
	if (q->has_ecs && q->ecs_source == 0)
		return 0;
	unsigned max = q->has_ecs && q->ecs_family == 1 ? 32 : 128;
	return (uint8_t)(scope > max ? max : scope);
}

/* What the client takes: 512 bytes over UDP without EDNS, else its size capped by ours;
 * 65535 over TCP; never more than the buffer. */
static size_t response_limit(const dnsd_answer_ctx_t *ctx, const dnsd_query_t *q,
			     const dnsd_client_t *client, size_t resp_cap)
{
	size_t limit = 65535;
	if (!client->tcp) {
		uint16_t ours = ctx->udp_payload ? ctx->udp_payload : UDP_PAYLOAD_DEFAULT;
		limit = q->has_edns ? (q->udp_size < ours ? q->udp_size : ours) : 512;
	}
	return limit > resp_cap ? resp_cap : limit;
}

/* One geo answer of record from datacenter dc (indexes past the counters' size share
 * the last slot). */
static inline void geo_count(dnsd_counters_t *c, size_t record, size_t dc)
{
	c->geo_record[record < DNSD_COUNTERS_RECORDS ? record : DNSD_COUNTERS_RECORDS - 1]++;
	c->geo_dc[dc < DNSD_COUNTERS_DCS ? dc : DNSD_COUNTERS_DCS - 1]++;
}

/* A/AAAA from the first serving datacenter in the client's list that has addresses of
 * that family; with none such, as if all were serving (fail open; counted when no
 * candidate serves at all). ANY answers what A would, or, when no candidate has IPv4,
 * what AAAA would (RFC 8482 lets it be minimal; an IPv6-only record must not be NODATA).
 * Returns false for NODATA (no candidate has the family). */
static bool geo_answer(answer_t *st, const dnsd_node_t *n, dnsd_owner_t owner, uint16_t qtype)
{
	const dnsd_geo_t *g = st->ctx->geo;
	if (g == NULL || n->geo_record >= g->record_count)
		return false;
	const dnsd_geo_record_t *rec = &g->records[n->geo_record];
	uint16_t order_buf[DNSD_GEO_ORDER_MAX];
	const uint16_t *order = rec->candidates;
	unsigned count = rec->candidate_count;
	unsigned scope = 0;

	if (rec->varies && g->lookup != NULL) {
		const dnsd_geo_pre_t *pre = st->pre;
		if (pre != NULL && pre->done && pre->record == n->geo_record) {
			scope = pre->scope;
			if (pre->count > 0) {
				order = pre->order;
				count = pre->count;
			}
		} else {
			int family;
			const uint8_t *addr;
			unsigned prefix;
			geo_client(st->q, st->client, &family, &addr, &prefix);
			unsigned got = g->lookup(g->lookup_ctx, n->geo_record, family, addr, prefix,
						 order_buf, DNSD_GEO_ORDER_MAX, &scope);
			if (got > 0) {
				order = order_buf;
				count = got > DNSD_GEO_ORDER_MAX ? DNSD_GEO_ORDER_MAX : got;
			}
		}
	}
	st->counters->geo++;

	geo_pick_query_t pq;
	geo_pick_result_t pick;
	uint16_t type = qtype == DNS_TYPE_ANY ? DNS_TYPE_A : qtype;
	pick_query(&pq, st->q, st->client, order, count, scope, type);
	geo_pick(rec, g->dcs, g->dc_count, &pq, &pick);
	if (pick.dc < 0 && qtype == DNS_TYPE_ANY) {
		type = DNS_TYPE_AAAA;
		pq.family = AF_INET6;
		geo_pick(rec, g->dcs, g->dc_count, &pq, &pick);
	}
	if (!pick.any_serving)
		st->counters->fail_open++;
	if (pick.reasons & GEO_PICK_CAPACITY_SHORT)
		st->counters->capacity_short++;
	if (rec->varies)
		st->scope = ecs_scope(st->q, pick.scope);
	if (pick.dc < 0)
		return false;
	const dnsd_geo_dc_t *dc = &g->dcs[pick.dc];
	geo_count(st->counters, n->geo_record, (size_t)pick.dc);
	unsigned alen = type == DNS_TYPE_AAAA ? 16 : 4;
	const uint8_t *bytes = type == DNS_TYPE_AAAA ? dc->aaaa : dc->a;
	/* The signatures were made at load over the whole set: a signed answer is the whole
	 * set (no subset by health or cap), so it validates (docs/routing.md). */
	bool whole = st->dnssec;
	unsigned naddr = whole ? (type == DNS_TYPE_AAAA ? dc->aaaa_count : dc->a_count) : pick.addr_count;
	for (unsigned i = 0; i < naddr; i++) {
		unsigned k = whole ? i : geo_pick_addr_index(&pick, i);
		if (dnsd_render_raw(&st->r, owner, type, DNS_CLASS_IN, pick.ttl, bytes + (size_t)k * alen,
				    (uint16_t)alen) != 0) {
			st->tc = true;
			return true;
		}
		st->an++;
	}
	if (st->dnssec) {
		/* the set was signed when the snapshot was built (dnsd_zones_load_at) */
		const dnsd_rrset_t *sigs =
		    dnsd_geo_sigs(st->ctx->zones, n->geo_record, (size_t)pick.dc, type == DNS_TYPE_AAAA);
		if (sigs != NULL && dnsd_render_rrset(&st->r, owner, sigs, pick.ttl) != 0)
			st->tc = true;
		else if (sigs != NULL)
			st->an += sigs->count;
	}
	return true;
}

static void answer_name(answer_t *st, const uint8_t *name, size_t len, unsigned depth);

static void answer_node(answer_t *st, const dnsd_node_t *n, dnsd_owner_t owner, unsigned depth)
{
	uint16_t qtype = st->q->qtype;

	if ((n->flags & DNSD_NODE_GEO) && (qtype == DNS_TYPE_A || qtype == DNS_TYPE_AAAA || qtype == DNS_TYPE_ANY)) {
		if (qtype == DNS_TYPE_ANY)
			st->counters->any++;
		if (!geo_answer(st, n, owner, qtype))
			dnsd_answer_nodata(st, n, depth);
		return;
	}
	const dnsd_rrset_t *cname = dnsd_node_rrset(n, DNS_TYPE_CNAME);
	if (cname != NULL && qtype != DNS_TYPE_CNAME) {
		if (qtype == DNS_TYPE_ANY)
			st->counters->any++; /* RFC 1034 4.3.2 3a: the CNAME matches ANY */
		if (!add(st, SEC_AN, owner, cname, UINT32_MAX) || depth >= CHASE_MAX ||
		    qtype == DNS_TYPE_ANY)
			return;
		const dnsd_rr_t *rr = &cname->rrs[0];
		for (unsigned i = 0; i <= depth; i++)
			if (st->chain_len[i] == rr->rdlen &&
			    memcmp(st->chain[i], rr->rdata, rr->rdlen) == 0)
				return; /* a loop: its last name exists, NOERROR (RFC 6604) */
		answer_name(st, rr->rdata, rr->rdlen, depth + 1);
		return;
	}
	if (qtype == DNS_TYPE_ANY) {
		/* RFC 8482: one RRset is enough; ANY is no way to read a whole name */
		st->counters->any++;
		const dnsd_rrset_t *first = NULL;
		for (unsigned i = 0; i < n->rrset_count && first == NULL; i++)
			if (n->rrsets[i].type != DNS_TYPE_RRSIG)
				first = &n->rrsets[i]; /* signatures come with their set */
		if (first != NULL) {
			if (add(st, SEC_AN, owner, first, UINT32_MAX))
				dnsd_answer_additional(st, first);
		} else {
			dnsd_answer_nodata(st, n, depth);
		}
		return;
	}
	const dnsd_rrset_t *set = dnsd_node_rrset(n, qtype);
	if (set == NULL) {
		dnsd_answer_nodata(st, n, depth);
		return;
	}
	if (add(st, SEC_AN, owner, set, UINT32_MAX))
		dnsd_answer_additional(st, set);
}

/* Answers name (the question name at depth 0, else a CNAME target we chase). */
static void answer_name(answer_t *st, const uint8_t *name, size_t len, unsigned depth)
{
	const dnsd_zones_t *z = st->ctx->zones;
	dnsd_owner_t owner = {.name = depth ? name : NULL, .len = (uint16_t)len};
	bool exact = true;
	const dnsd_node_t *n;

	if (depth == 0 && st->qnode_known)
		n = st->qnode; /* found by dnsd_answer_prepare(): no second hash and lookup */
	else
		n = dnsd_zones_find(z, name, len, dnsd_name_hash(name, len));

	st->chain[depth] = name;
	st->chain_len[depth] = (uint16_t)len;
	if (n == NULL || unlikely(n->flags & DNSD_NODE_UNDER_DNAME)) {
		/* closest encloser: the longest existing ancestor (empty non-terminals exist;
		 * names below a DNAME do not, the DNAME answers for them) */
		exact = false;
		n = NULL;
		for (size_t p = 0; name[p] != 0 && n == NULL;) {
			p += 1 + (size_t)name[p];
			n = dnsd_zones_find(z, name + p, len - p,
					    dnsd_name_hash(name + p, len - p));
			if (n != NULL && (n->flags & DNSD_NODE_UNDER_DNAME))
				n = NULL;
		}
	}
	if (n == NULL) {
		if (depth == 0) {
			st->rcode = DNSD_RCODE_REFUSED;
			st->ede_not_auth = true; /* RFC 8914: 20, Not Authoritative */
		}
		return; /* a CNAME out of our data: the resolver follows it */
	}
	if (exact && st->q->qtype == DNS_TYPE_DS && n->zone->parent_cut != NULL &&
	    n == n->zone->apex) {
		/* RFC 4035 3.1.4.1: DS belongs to the parent side of the cut, and we serve
		 * the parent too: answer from its records at the cut */
		n = n->zone->parent_cut;
	}
	if (depth == 0) {
		st->zone = n->zone;
		st->aa = true;
		st->dnssec = st->q->do_bit && n->zone->secure;
	} else if (n->zone != st->zone) {
		return; /* chased only inside the zone */
	}
	if (n->cut != NULL && !(exact && n->cut == n && st->q->qtype == DNS_TYPE_DS)) {
		referral(st, n->cut, depth);
		return;
	}
	const dnsd_rrset_t *dname;
	if (exact) {
		st->wild_ce = NULL;
		answer_node(st, n, owner, depth);
	} else if (unlikely((dname = dnsd_node_rrset(n, DNS_TYPE_DNAME)) != NULL)) {
		/* RFC 6672: the DNAME, a CNAME made from it, and the target's answer */
		size_t tlen;
		const uint8_t *target = dnsd_dname_answer(st, n, dname, name, len, depth, &tlen);
		if (target == NULL)
			return;
		for (unsigned i = 0; i <= depth; i++)
			if (st->chain_len[i] == tlen && memcmp(st->chain[i], target, tlen) == 0)
				return;
		answer_name(st, target, tlen, depth + 1);
	} else if (n->wildcard != NULL) {
		/* RFC 4592: the closest encloser's wildcard, records owned by the name asked */
		uint16_t an = st->an;
		st->wild_ce = n;
		answer_node(st, n->wildcard, owner, depth);
		if (st->dnssec && st->an > an)
			dnsd_deny_wildcard(st, n->zone, name, len, n, false);
	} else {
		st->rcode = DNSD_RCODE_NXDOMAIN;
		negative(st, n->zone);
		if (st->dnssec)
			dnsd_deny_name(st, n->zone, name, len, n);
	}
}

static bool name_is(const dnsd_query_t *q, const char *wire, size_t len)
{
	return q->qname_len == len && memcmp(q->qname, wire, len) == 0;
}

/* CHAOS TXT id.server./hostname.bind. (identity), version.bind./version.server. */
static void answer_chaos(answer_t *st)
{
	const dnsd_query_t *q = st->q;
	const dnsd_chaos_txt_t *txt = NULL;

	st->counters->chaos++;
	if (name_is(q, "\2id\6server", 11) || name_is(q, "\10hostname\4bind", 15))
		txt = &st->ctx->identity_txt;
	else if (name_is(q, "\7version\4bind", 14) || name_is(q, "\7version\6server", 16))
		txt = &st->ctx->version_txt;
	if (txt == NULL || txt->len == 0) {
		st->rcode = DNSD_RCODE_REFUSED;
		return;
	}
	st->aa = true;
	if (q->qtype != DNS_TYPE_TXT && q->qtype != DNS_TYPE_ANY)
		return;
	if (dnsd_render_raw(&st->r, (dnsd_owner_t){0}, DNS_TYPE_TXT, DNS_CLASS_CH, 0, txt->rdata, txt->len) == 0)
		st->an++;
	else
		st->tc = true;
}

/* text as TXT rdata: strings of up to 255 bytes, as many as fit; len 0 for NULL. */
static void chaos_txt_build(dnsd_chaos_txt_t *out, const char *text)
{
	out->len = 0;
	if (text == NULL)
		return;
	size_t len = 0;
	size_t left = strlen(text);
	do {
		size_t chunk = left > 255 ? 255 : left;
		if (len + 1 + chunk > sizeof(out->rdata))
			break;
		out->rdata[len++] = (uint8_t)chunk;
		memcpy(out->rdata + len, text, chunk);
		len += chunk;
		text += chunk;
		left -= chunk;
	} while (left > 0);
	out->len = (uint16_t)len;
}

void dnsd_answer_ctx_init(dnsd_answer_ctx_t *ctx)
{
	chaos_txt_build(&ctx->identity_txt, ctx->identity);
	chaos_txt_build(&ctx->version_txt, ctx->version);
}

/* Bytes the OPT record takes: root owner, fixed part, options (an EDE option without
 * text is 6 bytes, added by the caller). */
static size_t opt_size(const dnsd_answer_ctx_t *ctx, const dnsd_query_t *q, bool nsid)
{
	size_t len = 11;
	if (nsid)
		len += 4u + ctx->nsid_len;
	if (q->has_ecs)
		len += 8u + (q->ecs_source + 7u) / 8u;
	if (ctx->cookies && q->cookie_len != 0)
		len += DNSD_COOKIE_OPT_LEN;
	return len;
}

static size_t opt_write(uint8_t *p, const dnsd_answer_ctx_t *ctx, const dnsd_query_t *q, bool nsid,
			uint8_t ext_rcode, uint8_t scope)
{
	size_t rdlen = opt_size(ctx, q, nsid) - 11;
	uint16_t payload = ctx->udp_payload ? ctx->udp_payload : UDP_PAYLOAD_DEFAULT;

	p[0] = 0;
	dnsd_put16(p + 1, DNS_TYPE_OPT);
	dnsd_put16(p + 3, payload);
	p[5] = ext_rcode;
	p[6] = 0;		     /* version */
	p[7] = q->do_bit ? 0x80 : 0; /* RFC 3225: DO copied back */
	p[8] = 0;
	dnsd_put16(p + 9, (uint16_t)rdlen);
	size_t o = 11;
	if (nsid) {
		dnsd_put16(p + o, DNSD_OPT_NSID);
		dnsd_put16(p + o + 2, ctx->nsid_len);
		memcpy(p + o + 4, ctx->nsid, ctx->nsid_len);
		o += 4u + ctx->nsid_len;
	}
	if (q->has_ecs) {
		unsigned bytes = (q->ecs_source + 7u) / 8u;
		dnsd_put16(p + o, DNSD_OPT_ECS);
		dnsd_put16(p + o + 2, (uint16_t)(4 + bytes));
		dnsd_put16(p + o + 4, q->ecs_family);
		p[o + 6] = q->ecs_source;
		p[o + 7] = scope;
		memcpy(p + o + 8, q->ecs_addr, bytes);
		o += 8u + bytes;
	}
	if (ctx->cookies && q->cookie_len != 0) {
		/* last, so the server finds the server cookie's room at the response's end */
		dnsd_put16(p + o, DNSD_OPT_COOKIE);
		dnsd_put16(p + o + 2, 8 + DNSD_COOKIE_SERVER_LEN);
		memcpy(p + o + 4, q->cookie_client, 8);
		memset(p + o + 12, 0, DNSD_COOKIE_SERVER_LEN);
		o += DNSD_COOKIE_OPT_LEN;
	}
	return o;
}

static M_ALWAYS_INLINE void header_write(uint8_t *resp, const dnsd_query_t *q, bool aa, bool tc,
					 uint8_t rcode,
			 uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	dnsd_put16(resp, q->id);
	resp[2] = (uint8_t)(0x80 | (q->opcode << 3) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0) |
			    (q->rd ? 0x01 : 0));
	/* CD cleared, as RFC 4035 3.1.6 asks of an authoritative server (and NSD and Knot
	 * do); AD is never set: we do not validate (docs/dnsd-answers.md) */
	resp[3] = (uint8_t)(rcode & 0x0F);
	dnsd_put16(resp + 4, qd);
	dnsd_put16(resp + 6, an);
	dnsd_put16(resp + 8, ns);
	dnsd_put16(resp + 10, ar);
}

/* FORMERR, NOTIMP, BADVERS: the header, the question when we have one, and an OPT for
 * BADVERS and for NOTIMP to an EDNS query (RFC 6891 7); FORMERR gets none, since the
 * OPT may be what was malformed. */
static size_t answer_error(const dnsd_answer_ctx_t *ctx, const dnsd_query_t *q,
			   const uint8_t *query, uint8_t *resp, size_t cap, int rcode,
			   dnsd_counters_t *counters)
{
	size_t len = DNSD_HDR_LEN;
	uint16_t qd = 0;
	uint16_t ar = 0;

	if (q->has_question && q->question_end <= cap) {
		memcpy(resp + DNSD_HDR_LEN, query + DNSD_HDR_LEN, q->question_end - DNSD_HDR_LEN);
		len = q->question_end;
		qd = 1;
	}
	if (rcode == DNSD_RCODE_BADVERS || (rcode == DNSD_RCODE_NOTIMP && q->has_edns)) {
		dnsd_query_t plain = *q;
		plain.has_ecs = false;
		if (len + opt_size(ctx, &plain, false) <= cap) {
			len += opt_write(resp + len, ctx, &plain, false, (uint8_t)(rcode >> 4), 0);
			ar = 1;
		}
	}
	header_write(resp, q, false, false, (uint8_t)rcode, qd, 0, 0, ar);
	counters->rcode[rcode]++;
	return len;
}

/* The answer to a parsed query; p is the query prepared ahead (its geo lookup and the
 * question name's node), or NULL. */
static size_t answer_parsed(const dnsd_answer_ctx_t *ctx, const dnsd_query_t *q,
			    dnsd_parse_t parsed, const dnsd_prepared_t *p, const uint8_t *query,
			    const dnsd_client_t *client, uint8_t *resp, size_t resp_cap,
			    dnsd_counters_t *counters)
{
	answer_t st;

	counters->queries++;
	if (client->tcp)
		counters->tcp++;
	if (unlikely(parsed != DNSD_PARSE_OK || resp_cap < 512)) {
		if (parsed == DNSD_PARSE_DROP || resp_cap < DNSD_HDR_LEN) {
			counters->dropped++;
			return 0;
		}
		int rcode = parsed == DNSD_PARSE_NOTIMP	   ? DNSD_RCODE_NOTIMP
			    : parsed == DNSD_PARSE_BADVERS ? DNSD_RCODE_BADVERS
							   : DNSD_RCODE_FORMERR;
		if (parsed == DNSD_PARSE_OK)
			rcode = DNSD_RCODE_SERVFAIL;
		if (q->has_edns)
			counters->edns++;
		return answer_error(ctx, q, query, resp, resp_cap, rcode, counters);
	}
	if (q->has_edns)
		counters->edns++;
	if (q->has_ecs)
		counters->ecs++;
	counters->qtype[dnsd_qtype_class(q->qtype)]++;

	size_t limit = response_limit(ctx, q, client, resp_cap);
	bool nsid = q->has_edns && q->nsid && ctx->nsid != NULL;
	if (nsid && q->question_end + opt_size(ctx, q, true) > limit)
		nsid = false;
	size_t opt_len = q->has_edns ? opt_size(ctx, q, nsid) : 0;

	memcpy(resp + DNSD_HDR_LEN, query + DNSD_HDR_LEN, q->question_end - DNSD_HDR_LEN);
	memset(&st, 0, offsetof(answer_t, r));
	st.ctx = ctx;
	st.q = q;
	st.client = client;
	st.counters = counters;
	if (p != NULL) {
		st.pre = &p->geo;
		st.qnode = p->node;
		st.qnode_known = p->looked_up;
	}
	dnsd_render_init(&st.r, resp, limit - opt_len, q->question_end, q->qname, q->label_count,
			 q->label_off, q->qname_len);

	/* Zone transfers are not served, and without zones nothing is authoritative.
	 * QCLASS * gets our IN data without AA (RFC 1034 4.3.2: a server cannot know it
	 * holds every class; NSD does the same). */
	if ((q->qclass == DNS_CLASS_IN || q->qclass == DNS_CLASS_ANY) &&
	    likely(q->qtype != DNS_TYPE_AXFR && q->qtype != DNS_TYPE_IXFR) && likely(ctx->zones != NULL)) {
		answer_name(&st, q->qname, q->qname_len, 0);
		if (q->qclass == DNS_CLASS_ANY)
			st.aa = false;
	} else if (q->qclass == DNS_CLASS_CH) {
		answer_chaos(&st);
	} else {
		st.rcode = DNSD_RCODE_REFUSED;
	}
	if (st.rcode == DNSD_RCODE_REFUSED) {
		st.aa = false;
		st.r.len = q->question_end;
		st.an = st.ns = st.ar = 0;
	}
	if (unlikely(st.tc)) {
		/* the question (and OPT) only: the client retries over TCP */
		st.r.len = q->question_end;
		st.an = st.ns = st.ar = 0;
		counters->truncated++;
	}
	size_t len = st.r.len;
	if (q->has_edns) {
		size_t ol = opt_write(resp + len, ctx, q, nsid, 0, st.scope);
		if (st.ede_not_auth && st.rcode == DNSD_RCODE_REFUSED &&
		    len + ol + 6 <= response_limit(ctx, q, client, resp_cap))
			ol = dnsd_opt_add_ede(resp + len, ol, EDE_NOT_AUTHORITATIVE);
		len += ol;
		st.ar++;
		if (nsid)
			counters->nsid++;
	}
	header_write(resp, q, st.aa, st.tc, st.rcode, 1, st.an, st.ns, st.ar);
	counters->rcode[st.rcode]++;
	if (st.referral)
		counters->referrals++;
	else if (st.rcode == DNSD_RCODE_NOERROR && st.an == 0 && !st.tc)
		counters->nodata++;
	return len;
}

size_t dnsd_answer(const dnsd_answer_ctx_t *ctx, const uint8_t *query, size_t qlen,
		   const dnsd_client_t *client, uint8_t *resp, size_t resp_cap,
		   dnsd_counters_t *counters)
{
	dnsd_query_t q;
	dnsd_parse_t parsed = dnsd_query_parse(query, qlen, &q);
	return answer_parsed(ctx, &q, parsed, NULL, query, client, resp, resp_cap, counters);
}

bool dnsd_answer_prepare(const dnsd_answer_ctx_t *ctx, const uint8_t *query, size_t qlen,
			 const dnsd_client_t *client, dnsd_prepared_t *p)
{
	const dnsd_query_t *q = &p->q;

	p->geo.record = SIZE_MAX;
	p->geo.done = false;
	p->looked_up = false;
	p->node = NULL;
	p->parsed = dnsd_query_parse(query, qlen, &p->q);
	/* the lookup answer_name() would make first, under the same conditions */
	if (p->parsed != DNSD_PARSE_OK || q->qclass != DNS_CLASS_IN || q->qtype == DNS_TYPE_AXFR ||
	    q->qtype == DNS_TYPE_IXFR || ctx->zones == NULL)
		return false;
	const dnsd_node_t *n = dnsd_zones_find(ctx->zones, q->qname, q->qname_len,
					       dnsd_name_hash(q->qname, q->qname_len));
	p->node = n;
	p->looked_up = true;
	/* Only the common case, the question name itself; wildcards, cuts and CNAME
	 * targets are looked up one by one by the answer path. */
	if ((q->qtype != DNS_TYPE_A && q->qtype != DNS_TYPE_AAAA && q->qtype != DNS_TYPE_ANY) || ctx->geo == NULL ||
	    ctx->geo->lookup == NULL)
		return false;
	if (n == NULL || n->cut != NULL || !(n->flags & DNSD_NODE_GEO) ||
	    n->geo_record >= ctx->geo->record_count || !ctx->geo->records[n->geo_record].varies)
		return false;
	p->geo.record = n->geo_record;
	geo_client(q, client, &p->geo.family, &p->geo.addr, &p->geo.source_prefix);
	return true;
}

/* The answer a UDP worker sends most: an exact geo name asked for A or AAAA, its lookup
 * made by the batch, the chosen datacenter's addresses fitting whole. Written straight,
 * without the general path's walk, render state and compression table (about a third of
 * the user-space instructions per geo query; bench/README.md). Byte for byte and counter
 * for counter what answer_parsed() gives (test_fast_geo_answers_equal_the_general_path);
 * returns 0 whenever a condition does not hold, and the caller takes the general path:
 * TCP, ANY, NSID, DO in a signed zone without the set's signature, no lookup made ahead, no datacenter with that family (NODATA), or an
 * answer that would truncate. */
static size_t answer_geo_fast(const dnsd_answer_ctx_t *ctx, const dnsd_prepared_t *p,
			      const uint8_t *query, const dnsd_client_t *client, uint8_t *resp,
			      size_t resp_cap, dnsd_counters_t *counters)
{
	const dnsd_query_t *q = &p->q;
	const dnsd_geo_pre_t *pre = &p->geo;

	/* pre->done: prepare found the exact node, a geo record that varies, no cut, and
	 * the batch looked the client up for that record (dnsd_geodb_lookup_batch()). */
	if (!pre->done || p->parsed != DNSD_PARSE_OK || client->tcp || q->nsid ||
	    (q->qtype != DNS_TYPE_A && q->qtype != DNS_TYPE_AAAA) || resp_cap < 512 || p->node == NULL ||
	    p->node->geo_record != pre->record)
		return 0;
	const dnsd_geo_t *g = ctx->geo;
	const dnsd_geo_record_t *rec = &g->records[pre->record];
	const uint16_t *order = pre->count > 0 ? pre->order : rec->candidates;
	unsigned count = pre->count > 0 ? pre->count : rec->candidate_count;
	geo_pick_query_t pq;
	geo_pick_result_t pick;
	pick_query(&pq, q, client, order, count, pre->scope, q->qtype);
	geo_pick(rec, g->dcs, g->dc_count, &pq, &pick);
	if (pick.dc < 0)
		return 0;
	const dnsd_geo_dc_t *dc = &g->dcs[pick.dc];

	/* DO in a zone signed at load: the set's signature, made when the zones loaded,
	 * goes after it in one copy (sigs->wire is owned by the question name); only over
	 * the whole set (the general path answers the whole set signed) */
	const dnsd_rrset_t *sigs = NULL;
	if (q->do_bit && p->node->zone->secure) {
		if (!pick.addr_all)
			return 0;
		sigs = dnsd_geo_sigs(ctx->zones, pre->record, (size_t)pick.dc, q->qtype == DNS_TYPE_AAAA);
		if (sigs == NULL || sigs->wire == NULL)
			return 0;
	}
	size_t limit = response_limit(ctx, q, client, resp_cap);
	unsigned naddr = pick.addr_count;
	unsigned alen = q->qtype == DNS_TYPE_AAAA ? 16 : 4;
	size_t rr = 12u + alen; /* pointer to the question name, fixed part, address */
	size_t len = q->question_end;
	if (len + naddr * rr + (sigs ? sigs->wire_len : 0) +
		(q->has_edns ? opt_size(ctx, q, false) : 0) >
	    limit)
		return 0;

	memcpy(resp + DNSD_HDR_LEN, query + DNSD_HDR_LEN, q->question_end - DNSD_HDR_LEN);
	const uint8_t *addr = q->qtype == DNS_TYPE_AAAA ? dc->aaaa : dc->a;
	for (unsigned i = 0; i < naddr; i++, len += rr) {
		uint8_t *w = resp + len;
		size_t k = geo_pick_addr_index(&pick, i);
		w[0] = 0xC0;
		w[1] = DNSD_HDR_LEN;
		dnsd_put16(w + 2, q->qtype);
		dnsd_put16(w + 4, DNS_CLASS_IN);
		dnsd_put32(w + 6, pick.ttl);
		dnsd_put16(w + 10, (uint16_t)alen);
		if (alen == 4) /* fixed sizes: a move each, not a call */
			memcpy(w + 12, addr + k * 4, 4);
		else
			memcpy(w + 12, addr + k * 16, 16);
	}
	if (sigs != NULL) {
		memcpy(resp + len, sigs->wire, sigs->wire_len);
		len += sigs->wire_len;
	}
	if (q->has_edns)
		len += opt_write(resp + len, ctx, q, false, 0, ecs_scope(q, pick.scope));
	header_write(resp, q, true, false, DNSD_RCODE_NOERROR, 1,
		     (uint16_t)(naddr + (sigs ? sigs->count : 0)), 0, q->has_edns ? 1 : 0);

	counters->queries++;
	counters->edns += q->has_edns;
	counters->ecs += q->has_ecs;
	counters->geo++;
	counters->fail_open += !pick.any_serving;
	counters->capacity_short += (pick.reasons & GEO_PICK_CAPACITY_SHORT) != 0;
	counters->rcode[DNSD_RCODE_NOERROR]++;
	counters->qtype[q->qtype == DNS_TYPE_AAAA ? DNSD_QTYPE_AAAA : DNSD_QTYPE_A]++;
	geo_count(counters, pre->record, (size_t)pick.dc);
	return len;
}

size_t dnsd_answer_prepared(const dnsd_answer_ctx_t *ctx, const dnsd_prepared_t *p,
			    const uint8_t *query, const dnsd_client_t *client, uint8_t *resp,
			    size_t resp_cap, dnsd_counters_t *counters)
{
	size_t len = answer_geo_fast(ctx, p, query, client, resp, resp_cap, counters);
	if (likely(len > 0))
		return len;
	return answer_parsed(ctx, &p->q, p->parsed, p, query, client, resp, resp_cap, counters);
}
