/* SPDX-License-Identifier: MIT */
/* hc_dns_packet.h -- the one DNS query the dns probe sends and the checks on its answer */
#ifndef MERIDIAN_HC_DNS_PACKET_H
#define MERIDIAN_HC_DNS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"

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
/* Collects the addresses the answer section gives for the question's name: records of
 * type qtype (1 = A or 28 = AAAA), class IN, owned by the question's name or by the end of
 * a CNAME chain from it (at most 8 links). Names may be compressed; every length and
 * pointer is bounds-checked (pointers must lead backwards). pkt must have passed
 * hc_dns_answer_rcode() for query. Stores up to max addresses in out and returns how many
 * the answer has (may exceed max); -1 for a malformed message, with why filled
 * ("malformed answer: truncated record", ...). */
int hc_dns_answer_addrs(const uint8_t *pkt, size_t len, const uint8_t *query, size_t querylen,
			uint16_t qtype, conf_ipaddr_t *out, size_t max, char *why,
			size_t whylen) M_NONNULL_ALL M_WUR;
/* Judges collected addresses (got, got_count of them, as hc_dns_answer_addrs() returned;
 * only the first stored ones are shown) against the expected ones, each of which must be
 * present. True when all are; reason is "answer has 192.0.2.1" or "answer lacks 192.0.2.1
 * (got 192.0.2.9)" / "(got nothing)", cut to reasonlen. */
bool hc_dns_answer_judge(const conf_ipaddr_t *want, size_t want_count, const conf_ipaddr_t *got,
			 size_t got_count, size_t got_stored, char *reason,
			 size_t reasonlen) M_NONNULL_ALL M_WUR;
/* "NOERROR", "SERVFAIL", ...; "RCODE15" style for unnamed ones (static buffer: loop thread). */
const char *hc_dns_rcode_name(int rcode);

#endif
