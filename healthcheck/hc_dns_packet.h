/* SPDX-License-Identifier: MIT */
/* hc_dns_packet.h -- the one DNS query the dns probe sends and the checks on its answer */
#ifndef MERIDIAN_HC_DNS_PACKET_H
#define MERIDIAN_HC_DNS_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#define HC_DNS_QUERY_MAX 512 /* a query with a 255-byte name fits */

/* Writes a query (RD clear, one question, class IN) into buf. Returns its length, or -1
 * when qname is not a valid name (empty label, label over 63, name over 255). */
int hc_dns_query_build(uint16_t id, const char *qname, uint16_t qtype, uint8_t *buf,
		       size_t buflen) M_NONNULL_ALL M_WUR;
/* Checks that a datagram answers our query: at least a header, QR set, the same id and
 * the same question (when the answer carries one). On success returns the rcode (0..15);
 * -1 otherwise, with why filled ("short answer", "id mismatch", ...). */
int hc_dns_answer_rcode(const uint8_t *pkt, size_t len, const uint8_t *query, size_t querylen,
			char *why, size_t whylen) M_NONNULL_ALL M_WUR;
/* "NOERROR", "SERVFAIL", ...; "RCODE15" style for unnamed ones (static buffer: loop thread). */
const char *hc_dns_rcode_name(int rcode);

#endif
