/* SPDX-License-Identifier: MIT */
/* hc_dns_packet.c -- the one DNS query the dns probe sends and the checks on its answer */
#include "config.h"
#include "healthcheck/hc_dns_packet.h"
#include "base/dns_wire.h"
#include "conf/conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int hc_dns_query_build(uint16_t id, const char *qname, uint16_t qtype, uint8_t *buf, size_t buflen)
{
	if (buflen < DNS_HEADER_SIZE + DNS_NAME_MAX + 4)
		return -1;
	memset(buf, 0, DNS_HEADER_SIZE);
	dns_put16(buf, id);
	dns_put16(buf + 4, 1); /* QDCOUNT */
	int n = dns_name_encode(qname, buf + DNS_HEADER_SIZE, DNS_NAME_MAX);
	if (n < 0)
		return -1;
	size_t pos = DNS_HEADER_SIZE + (size_t)n;
	dns_put16(buf + pos, qtype);
	dns_put16(buf + pos + 2, DNS_CLASS_IN);
	return (int)pos + 4;
}

/* Compares the question of pkt at DNS_HEADER_SIZE with ours, case-insensitively (servers may
 * change case, e.g. for 0x20 tricks). */
static bool question_matches(const uint8_t *pkt, size_t len, const uint8_t *query, size_t querylen)
{
	size_t qlen = querylen - DNS_HEADER_SIZE;
	if (len < DNS_HEADER_SIZE + qlen)
		return false;
	for (size_t i = 0; i < qlen; i++)
		if (tolower(pkt[DNS_HEADER_SIZE + i]) != tolower(query[DNS_HEADER_SIZE + i]))
			return false;
	return true;
}

int hc_dns_answer_rcode(const uint8_t *pkt, size_t len, const uint8_t *query, size_t querylen,
			char *why, size_t whylen)
{
	if (len < DNS_HEADER_SIZE) {
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

#define CNAME_LINKS_MAX 8 /* longer chains are not followed (a loop ends here too) */

/* A name in uncompressed wire format, lower case, root label included. */
typedef struct {
	uint8_t wire[DNS_NAME_MAX]; /* length-prefixed labels, ending with the 0 of the root */
	size_t len;		    /* bytes used, 1..DNS_NAME_MAX */
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
	return dns_name_equal(a->wire, a->len, b->wire, b->len);
}

/* Reads the possibly compressed name at *pos (dns_name_decode) and moves *pos past it. */
static int name_read(const uint8_t *pkt, size_t len, size_t *pos, dname_t *out)
{
	int n = dns_name_decode(pkt, len, pos, out->wire);
	if (n < 0)
		return -1;
	out->len = (size_t)n;
	return 0;
}

/* Reads the record at *pos and moves *pos past it. */
static int rr_read(const uint8_t *pkt, size_t len, size_t *pos, rr_t *rr)
{
	if (name_read(pkt, len, pos, &rr->owner) < 0)
		return -1;
	if (len - *pos < 10)
		return -1;
	rr->type = (uint16_t)dns_get16(pkt + *pos);
	rr->class = (uint16_t)dns_get16(pkt + *pos + 2);
	rr->rdlen = dns_get16(pkt + *pos + 8);
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
		if (*found || rr.type != DNS_TYPE_CNAME || rr.class != DNS_CLASS_IN ||
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
	size_t pos = DNS_HEADER_SIZE, qpos = DNS_HEADER_SIZE;
	dname_t name, target;
	unsigned qdcount = len >= DNS_HEADER_SIZE ? dns_get16(pkt + 4) : 0;
	unsigned ancount = len >= DNS_HEADER_SIZE ? dns_get16(pkt + 6) : 0;
	size_t addrlen = qtype == DNS_TYPE_AAAA ? 16 : 4;
	if (len < DNS_HEADER_SIZE || name_read(query, querylen, &qpos, &name) < 0) {
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
		if (rr.type != qtype || rr.class != DNS_CLASS_IN || !dname_equal(&rr.owner, &name))
			continue;
		if (rr.rdlen != addrlen) {
			what = qtype == DNS_TYPE_AAAA ? "AAAA record of the wrong length"
					   : "A record of the wrong length";
			goto malformed;
		}
		if (count < max) {
			out[count].family = qtype == DNS_TYPE_AAAA ? AF_INET6 : AF_INET;
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
	const char *name = dns_rcode_name(rcode);
	if (name != NULL)
		return name;
	snprintf(other, sizeof(other), "RCODE%d", rcode);
	return other;
}
