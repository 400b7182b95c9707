/* SPDX-License-Identifier: MIT */
/* hc_dns_packet.c -- the one DNS query the dns probe sends and the checks on its answer */
#include "config.h"
#include "healthcheck/hc_dns_packet.h"

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

const char *hc_dns_rcode_name(int rcode)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};
	static char other[16];
	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(other, sizeof(other), "RCODE%d", rcode);
	return other;
}
