/* SPDX-License-Identifier: MIT */
/* hc_dns_packet.c -- the one DNS query the dns probe sends and the checks on its answer */
#include "config.h"
#include "healthcheck/hc_dns_packet.h"
#include "conf/conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DNS_HEADER 12

int hc_dns_query_build(uint16_t id, const char *qname, uint16_t qtype, uint8_t *buf, size_t buflen)
{
	if (buflen < DNS_HEADER + 255 + 4)
		return -1;
	memset(buf, 0, DNS_HEADER);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[5] = 1; /* QDCOUNT */
	size_t pos = DNS_HEADER;
	const char *p = qname;
	if (strcmp(p, ".") == 0)
		p++;
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t label = dot ? (size_t)(dot - p) : strlen(p);
		if (label == 0 || label > 63)
			return -1;
		if (pos - DNS_HEADER + label + 2 > 255)
			return -1;
		buf[pos++] = (uint8_t)label;
		memcpy(buf + pos, p, label);
		pos += label;
		p += label;
		if (*p == '.')
			p++;
	}
	buf[pos++] = 0;
	buf[pos++] = (uint8_t)(qtype >> 8);
	buf[pos++] = (uint8_t)qtype;
	buf[pos++] = 0;
	buf[pos++] = 1; /* IN */
	return (int)pos;
}

/* Compares the question of pkt at DNS_HEADER with ours, case-insensitively (servers may
 * change case, e.g. for 0x20 tricks). */
static bool question_matches(const uint8_t *pkt, size_t len, const uint8_t *query, size_t querylen)
{
	size_t qlen = querylen - DNS_HEADER;
	if (len < DNS_HEADER + qlen)
		return false;
	for (size_t i = 0; i < qlen; i++)
		if (tolower(pkt[DNS_HEADER + i]) != tolower(query[DNS_HEADER + i]))
			return false;
	return true;
}

int hc_dns_answer_rcode(const uint8_t *pkt, size_t len, const uint8_t *query, size_t querylen,
			char *why, size_t whylen)
{
	if (len < DNS_HEADER) {
		snprintf(why, whylen, "short answer (%zu bytes)", len);
		return -1;
	}
	if (pkt[0] != query[0] || pkt[1] != query[1]) {
		snprintf(why, whylen, "id mismatch");
		return -1;
	}
	if (!(pkt[2] & 0x80)) {
		snprintf(why, whylen, "not an answer (QR clear)");
		return -1;
	}
	unsigned qdcount = (unsigned)pkt[4] << 8 | pkt[5];
	if (qdcount > 0 && !question_matches(pkt, len, query, querylen)) {
		snprintf(why, whylen, "question mismatch");
		return -1;
	}
	return pkt[3] & 0x0f;
}

#define TYPE_CNAME 5
#define CLASS_IN 1
#define CNAME_LINKS_MAX 8 /* longer chains are not followed (a loop ends here too) */

/* A name in uncompressed wire format, lower case, root label included. */
typedef struct {
	uint8_t wire[255]; /* length-prefixed labels, ending with the 0 of the root */
	size_t len;	   /* bytes used, 1..255 */
} dname_t;

/* One resource record of the message, its rdata left in place. */
typedef struct {
	dname_t owner;	/* decompressed */
	uint16_t type;	/* RR type */
	uint16_t class; /* RR class */
	size_t rdata;	/* offset of the rdata in the message */
	size_t rdlen;	/* its length; rdata + rdlen <= message length */
} rr_t;

static bool dname_equal(const dname_t *a, const dname_t *b)
{
	return a->len == b->len && memcmp(a->wire, b->wire, a->len) == 0;
}

/* Reads the possibly compressed name at *pos and moves *pos past it (past the first
 * pointer when there is one). Every pointer must lead before the one followed last (and
 * the first before the name's start), so a loop cannot form; the 255-byte limit bounds
 * the rest. */
static int name_read(const uint8_t *pkt, size_t len, size_t *pos, dname_t *out)
{
	size_t p = *pos, limit = *pos, n = 0;
	bool jumped = false;
	for (;;) {
		if (p >= len)
			return -1;
		uint8_t c = pkt[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len)
				return -1;
			size_t target = (size_t)(c & 0x3f) << 8 | pkt[p + 1];
			if (target >= limit)
				return -1;
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			limit = target;
			p = target;
			continue;
		}
		if (c & 0xc0) /* 0x40 and 0x80: extended label types, none in use */
			return -1;
		if (n + 1 + c > sizeof(out->wire) || p + 1 + c > len)
			return -1;
		out->wire[n++] = c;
		if (c == 0)
			break;
		for (size_t i = 0; i < c; i++)
			out->wire[n++] = (uint8_t)tolower(pkt[p + 1 + i]);
		p += 1 + (size_t)c;
	}
	if (!jumped)
		*pos = p + 1;
	out->len = n;
	return 0;
}

static unsigned u16_at(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Reads the record at *pos and moves *pos past it. */
static int rr_read(const uint8_t *pkt, size_t len, size_t *pos, rr_t *rr)
{
	if (name_read(pkt, len, pos, &rr->owner) < 0)
		return -1;
	if (len - *pos < 10)
		return -1;
	rr->type = (uint16_t)u16_at(pkt + *pos);
	rr->class = (uint16_t)u16_at(pkt + *pos + 2);
	rr->rdlen = u16_at(pkt + *pos + 8);
	rr->rdata = *pos + 10;
	if (len - rr->rdata < rr->rdlen)
		return -1;
	*pos = rr->rdata + rr->rdlen;
	return 0;
}

/* One pass over the answer section: the CNAME target of name (found = false when there is
 * none), or -1 when a record is malformed. */
static int cname_of(const uint8_t *pkt, size_t len, size_t answers, unsigned ancount,
		    const dname_t *name, dname_t *target, bool *found, const char **what)
{
	size_t pos = answers;
	*found = false;
	for (unsigned i = 0; i < ancount; i++) {
		rr_t rr;
		if (rr_read(pkt, len, &pos, &rr) < 0) {
			*what = "truncated record or bad name";
			return -1;
		}
		if (*found || rr.type != TYPE_CNAME || rr.class != CLASS_IN ||
		    !dname_equal(&rr.owner, name))
			continue;
		size_t at = rr.rdata;
		if (name_read(pkt, len, &at, target) < 0 || at != rr.rdata + rr.rdlen) {
			*what = "bad CNAME";
			return -1;
		}
		*found = true;
	}
	return 0;
}

int hc_dns_answer_addrs(const uint8_t *pkt, size_t len, const uint8_t *query, size_t querylen,
			uint16_t qtype, conf_ipaddr_t *out, size_t max, char *why, size_t whylen)
{
	const char *what = "bad question";
	size_t pos = DNS_HEADER, qpos = DNS_HEADER;
	dname_t name, target;
	unsigned qdcount = len >= DNS_HEADER ? u16_at(pkt + 4) : 0;
	unsigned ancount = len >= DNS_HEADER ? u16_at(pkt + 6) : 0;
	size_t addrlen = qtype == 28 ? 16 : 4;
	if (len < DNS_HEADER || name_read(query, querylen, &qpos, &name) < 0) {
		what = "short header";
		goto malformed;
	}
	for (unsigned i = 0; i < qdcount; i++) {
		if (name_read(pkt, len, &pos, &target) < 0 || len - pos < 4)
			goto malformed;
		pos += 4;
	}
	for (unsigned links = 0;; links++) {
		bool found;
		if (cname_of(pkt, len, pos, ancount, &name, &target, &found, &what) < 0)
			goto malformed;
		if (!found || links == CNAME_LINKS_MAX)
			break;
		name = target;
	}
	size_t count = 0;
	for (unsigned i = 0; i < ancount; i++) {
		rr_t rr;
		if (rr_read(pkt, len, &pos, &rr) < 0) {
			what = "truncated record or bad name"; /* not reached: cname_of read them */
			goto malformed;
		}
		if (rr.type != qtype || rr.class != CLASS_IN || !dname_equal(&rr.owner, &name))
			continue;
		if (rr.rdlen != addrlen) {
			what = qtype == 28 ? "AAAA record of the wrong length"
					   : "A record of the wrong length";
			goto malformed;
		}
		if (count < max) {
			out[count].family = qtype == 28 ? AF_INET6 : AF_INET;
			memset(out[count].bytes, 0, sizeof(out[count].bytes));
			memcpy(out[count].bytes, pkt + rr.rdata, addrlen);
		}
		count++;
	}
	return (int)count;
malformed:
	snprintf(why, whylen, "malformed answer: %s", what);
	return -1;
}

static void addr_format(const conf_ipaddr_t *a, char *out, size_t size)
{
	if (inet_ntop(a->family, a->bytes, out, (socklen_t)size) == NULL)
		snprintf(out, size, "?");
}

/* Appends text to out at *used, cutting at size (out stays terminated). */
static void append(char *out, size_t size, size_t *used, const char *text)
{
	int n = snprintf(out + *used, size - *used, "%s", text);
	if (n > 0)
		*used += (size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

static bool addr_in(const conf_ipaddr_t *a, const conf_ipaddr_t *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (list[i].family == a->family && memcmp(list[i].bytes, a->bytes, 16) == 0)
			return true;
	return false;
}

bool hc_dns_answer_judge(const conf_ipaddr_t *want, size_t want_count, const conf_ipaddr_t *got,
			 size_t got_count, size_t got_stored, char *reason, size_t reasonlen)
{
	char text[INET6_ADDRSTRLEN];
	size_t used = 0, shown = got_stored < got_count ? got_stored : got_count;
	bool ok = true;
	for (size_t i = 0; i < want_count; i++)
		ok = ok && addr_in(&want[i], got, shown);
	if (reasonlen == 0)
		return ok;
	reason[0] = '\0';
	append(reason, reasonlen, &used, ok ? "answer has " : "answer lacks ");
	for (size_t i = 0, listed = 0; i < want_count; i++) {
		if (!ok && addr_in(&want[i], got, shown))
			continue;
		addr_format(&want[i], text, sizeof(text));
		append(reason, reasonlen, &used, listed++ ? ", " : "");
		append(reason, reasonlen, &used, text);
	}
	if (ok)
		return true;
	append(reason, reasonlen, &used, shown == 0 ? " (got nothing" : " (got ");
	for (size_t i = 0; i < shown; i++) {
		addr_format(&got[i], text, sizeof(text));
		append(reason, reasonlen, &used, i ? ", " : "");
		append(reason, reasonlen, &used, text);
	}
	append(reason, reasonlen, &used, got_count > shown ? ", ...)" : ")");
	return false;
}

const char *hc_dns_rcode_name(int rcode)
{
	static char other[16];
	const char *name = conf_rcode_name(rcode);
	if (name != NULL)
		return name;
	snprintf(other, sizeof(other), "RCODE%d", rcode);
	return other;
}
