/* SPDX-License-Identifier: MIT */
/* hc_dns_fuzz.c -- libFuzzer harness: any bytes as the answer to the dns health probe's query */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "healthcheck/hc_dns_packet.h"

/* The probe's query for svc.example.test (A or AAAA by the input's first byte); the rest
 * of the input is the datagram that came back. The id and question are patched in for
 * half the inputs so the record walk (compression, CNAME chains) is reached too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint16_t qtype = (data[0] & 1) ? 28 : 1;
	uint8_t query[512];
	int qlen = hc_dns_query_build(0x4d52, "svc.example.test.", qtype, query, sizeof(query));
	if (qlen < 0)
		abort();
	uint8_t pkt[4096];
	size_t len = size - 1;
	memcpy(pkt, data + 1, len);
	if ((data[0] & 2) && len >= (size_t)qlen) {
		memcpy(pkt, query, 2);			     /* id */
		pkt[2] |= 0x80;				     /* QR */
		memcpy(pkt + 4, query + 4, 2);		     /* qdcount */
		memcpy(pkt + 12, query + 12, (size_t)qlen - 12); /* question */
	}
	char why[256] = "";
	int rcode = hc_dns_answer_rcode(pkt, len, query, (size_t)qlen, why, sizeof(why));
	if (rcode < 0) {
		if (why[0] == '\0')
			abort();
		return 0;
	}
	if (rcode > 15)
		abort();
	conf_ipaddr_t got[16];
	int n = hc_dns_answer_addrs(pkt, len, query, (size_t)qlen, qtype, got, 16, why, sizeof(why));
	if (n < 0 && why[0] == '\0')
		abort();
	if (n > 0) {
		conf_ipaddr_t want = got[0];
		char reason[256];
		if (!hc_dns_answer_judge(&want, 1, got, (size_t)n, n < 16 ? (size_t)n : 16, reason,
					 sizeof(reason)))
			abort(); /* the first address it found is in what it found */
	}
	return 0;
}
