/* SPDX-License-Identifier: MIT */
/* dnsd_packet.c -- hand-written parser for a query's header, question and EDNS OPT */
#include "config.h"

#include <string.h>

#include "base/dns_wire.h"
#include "dnsd/dnsd_packet.h"

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

uint32_t dnsd_name_hash(const uint8_t *name, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
	uint64_t w = 0;

	if (likely(len >= 8)) {
		/* The last word overlaps the one before it instead of being copied byte by
		 * byte: whole-word loads only, never past name + len. */
		const uint8_t *last = name + len - 8;
		while (name < last) {
			memcpy(&w, name, 8);
			h = (h ^ w) * 0xff51afd7ed558ccdull;
			h ^= h >> 32;
			name += 8;
		}
		memcpy(&w, last, 8);
	} else {
		for (size_t i = 0; i < len; i++)
			w |= (uint64_t)name[i] << (8 * i);
	}
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* Eight bytes lower-cased at once: a byte gets 0x20 when it is 'A'..'Z' (0x41..0x5A);
 * anything else, bytes with the high bit among them, is left as it is. */
static inline uint64_t lower8(uint64_t w)
{
	uint64_t low7 = w & 0x7F7F7F7F7F7F7F7Full;
	uint64_t from_a = low7 + 0x3F3F3F3F3F3F3F3Full; /* bit 7: byte >= 0x41 */
	uint64_t past_z = low7 + 0x2525252525252525ull; /* bit 7: byte >= 0x5B */
	uint64_t upper = from_a & ~past_z & ~w & 0x8080808080808080ull;
	return w | (upper >> 2);
}

/* Copies the question name lower-cased, recording label offsets. Compression is not
 * allowed in the question (nobody sends it, and refusing it keeps the copy trivial).
 * The labels are walked first, then the whole name is copied eight bytes at a time:
 * length bytes are at most 63, below 'A', so lower-casing them changes nothing. */
static int parse_qname(const uint8_t *msg, size_t len, size_t *pos, dnsd_query_t *q)
{
	size_t start = *pos, p = start;
	unsigned labels = 0;

	for (;;) {
		if (unlikely(p >= len))
			return -1;
		uint8_t l = msg[p];
		if (l == 0)
			break;
		if (unlikely(l > DNS_LABEL_MAX)) /* pointer or reserved label type */
			return -1;
		if (unlikely(p + 1 + l > len || p - start + 1 + l + 1 > DNSD_NAME_MAX))
			return -1;
		q->label_off[labels++] = (uint8_t)(p - start);
		p += 1 + (size_t)l;
	}
	size_t n = p + 1 - start; /* with the root label; <= DNSD_NAME_MAX, inside msg */
	const uint8_t *from = msg + start;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, from + i, 8);
		w = lower8(w);
		memcpy(q->qname + i, &w, 8);
	}
	for (; i < n; i++)
		q->qname[i] = lower(from[i]);
	q->qname_len = (uint8_t)n;
	q->label_count = (uint8_t)labels;
	*pos = p + 1;
	return 0;
}

static int parse_ecs(const uint8_t *o, uint16_t olen, dnsd_query_t *q)
{
	if (olen < 4 || q->has_ecs)
		return -1;
	uint16_t family = dns_get16(o);
	uint8_t source = o[2];
	uint8_t scope = o[3];
	unsigned max = family == 1 ? 32 : family == 2 ? 128 : 0;

	if (max == 0 || source > max || scope != 0)
		return -1;
	unsigned bytes = (source + 7u) / 8u;
	if (olen - 4u != bytes)
		return -1;
	memset(q->ecs_addr, 0, sizeof(q->ecs_addr));
	memcpy(q->ecs_addr, o + 4, bytes);
	if (source % 8 != 0 && (q->ecs_addr[bytes - 1] & (0xFFu >> (source % 8))) != 0)
		return -1;
	q->has_ecs = true;
	q->ecs_family = family;
	q->ecs_source = source;
	return 0;
}

static int parse_opt(const uint8_t *msg, size_t rr, size_t len, dnsd_query_t *q)
{
	/* rr points at the fixed part after the (root) owner: type, class, ttl, rdlen */
	const uint8_t *f = msg + rr;
	uint16_t udp = dns_get16(f + 2);
	uint16_t rdlen = dns_get16(f + 8);
	size_t p = rr + 10;

	q->has_edns = true;
	q->udp_size = udp < 512 ? 512 : udp;
	q->edns_version = f[5];
	q->do_bit = (f[6] & 0x80) != 0;
	if (p + rdlen > len)
		return -1;
	size_t end = p + rdlen;
	while (p < end) {
		if (p + 4 > end)
			return -1;
		uint16_t code = dns_get16(msg + p);
		uint16_t olen = dns_get16(msg + p + 2);
		p += 4;
		if (p + olen > end)
			return -1;
		if (code == DNSD_OPT_NSID)
			q->nsid = true;
		else if (code == DNSD_OPT_ECS && parse_ecs(msg + p, olen, q) != 0)
			return -1;
		else if (code == DNSD_OPT_COOKIE) {
			/* RFC 7873 5.2.2: a client cookie alone (8), or with a server cookie
			 * of 8..32; any other length, or two of them, is FORMERR */
			if ((olen != 8 && (olen < 16 || olen > 40)) || q->cookie_len != 0)
				return -1;
			q->cookie_len = (uint8_t)olen;
			q->cookie_off = (uint16_t)p;
			memcpy(q->cookie_client, msg + p, 8);
		}
		p += olen;
	}
	return 0;
}

/* Walks the answer, authority and additional sections: queries carry no records there
 * but the OPT, so the others are skipped without judging them. */
static int parse_records(const uint8_t *msg, size_t len, size_t pos, unsigned ancount,
			 unsigned nscount, unsigned arcount, dnsd_query_t *q)
{
	unsigned records = ancount + nscount + arcount;
	bool seen_opt = false;
	for (unsigned i = 0; i < records; i++) {
		size_t owner = pos;
		if (dns_name_skip(msg, len, &pos) != 0 || pos + 10 > len)
			return -1;
		uint16_t type = dns_get16(msg + pos);
		uint16_t rdlen = dns_get16(msg + pos + 8);
		if (pos + 10 + rdlen > len)
			return -1;
		if (type == DNS_TYPE_OPT) {
			/* RFC 6891 6.1.1: one OPT, in the additional section, owned by the root */
			if (seen_opt || i < ancount + nscount || pos != owner + 1 ||
			    msg[owner] != 0)
				return -1;
			seen_opt = true;
			if (parse_opt(msg, pos, len, q) != 0)
				return -1;
		}
		pos += 10 + (size_t)rdlen;
	}
	return 0;
}

dnsd_parse_t dnsd_query_parse(const uint8_t *msg, size_t len, dnsd_query_t *q)
{
	q->has_question = false;
	q->has_edns = false;
	q->has_ecs = false;
	q->cookie_len = 0;
	q->nsid = false;
	q->do_bit = false;
	q->edns_version = 0;
	q->udp_size = 512;
	if (unlikely(len < DNSD_HDR_LEN))
		return DNSD_PARSE_DROP;
	q->id = dns_get16(msg);
	q->opcode = (msg[2] >> 3) & 0x0F;
	q->rd = (msg[2] & 0x01) != 0;
	q->cd = (msg[3] & 0x10) != 0;
	if (unlikely(msg[2] & 0x80))
		return DNSD_PARSE_DROP;

	uint16_t qdcount = dns_get16(msg + 4);
	uint16_t ancount = dns_get16(msg + 6);
	uint16_t nscount = dns_get16(msg + 8);
	uint16_t arcount = dns_get16(msg + 10);
	size_t pos = DNSD_HDR_LEN;

	if (unlikely(qdcount != 1))
		return q->opcode != 0 ? DNSD_PARSE_NOTIMP : DNSD_PARSE_FORMERR;
	if (unlikely(parse_qname(msg, len, &pos, q) != 0 || pos + 4 > len))
		return q->opcode != 0 ? DNSD_PARSE_NOTIMP : DNSD_PARSE_FORMERR;
	q->qtype = dns_get16(msg + pos);
	q->qclass = dns_get16(msg + pos + 2);
	pos += 4;
	q->question_end = (uint16_t)pos;
	q->has_question = true;
	if (unlikely(q->opcode != 0)) {
		/* echo a sound OPT with the NOTIMP (RFC 6891 7); a broken one is dropped */
		if (parse_records(msg, len, pos, ancount, nscount, arcount, q) != 0)
			q->has_edns = false;
		return DNSD_PARSE_NOTIMP;
	}
	if (likely(ancount == 0 && nscount == 0 && arcount == 1 && pos + 11 <= len &&
		   msg[pos] == 0 && dns_get16(msg + pos + 1) == DNS_TYPE_OPT)) {
		/* the usual query: the OPT record alone, owned by the root */
		size_t end = pos + 11 + dns_get16(msg + pos + 9);
		if (end > len || parse_opt(msg, pos + 1, len, q) != 0)
			return DNSD_PARSE_FORMERR;
	} else if (parse_records(msg, len, pos, ancount, nscount, arcount, q) != 0) {
		return DNSD_PARSE_FORMERR;
	}
	if (q->has_edns && q->edns_version > 0)
		return DNSD_PARSE_BADVERS;
	return DNSD_PARSE_OK;
}
