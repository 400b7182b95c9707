/* SPDX-License-Identifier: MIT */
/* dnsd_packet.h -- hand-written parser for a query's header, question and EDNS OPT */
#ifndef MERIDIAN_DNSD_PACKET_H
#define MERIDIAN_DNSD_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/dns_wire.h"

/* The wire's sizes and rcodes are base/dns_wire.h's; these names stay for the answer
 * code until it uses those directly. */
#define DNSD_HDR_LEN DNS_HEADER_SIZE
#define DNSD_NAME_MAX DNS_NAME_MAX
#define DNSD_LABELS_MAX 128 /* at most 127 labels fit in DNS_NAME_MAX bytes */

#define DNSD_RCODE_NOERROR DNS_RCODE_NOERROR
#define DNSD_RCODE_FORMERR DNS_RCODE_FORMERR
#define DNSD_RCODE_SERVFAIL DNS_RCODE_SERVFAIL
#define DNSD_RCODE_NXDOMAIN DNS_RCODE_NXDOMAIN
#define DNSD_RCODE_NOTIMP DNS_RCODE_NOTIMP
#define DNSD_RCODE_REFUSED DNS_RCODE_REFUSED
#define DNSD_RCODE_BADVERS DNS_RCODE_BADVERS

#define DNSD_OPT_NSID 3
#define DNSD_OPT_ECS 8
#define DNSD_OPT_COOKIE 10

/* What the parser decided about a message. */
typedef enum {
	DNSD_PARSE_OK = 0,  /* a query we answer */
	DNSD_PARSE_DROP,    /* send nothing: a response, or shorter than a header */
	DNSD_PARSE_FORMERR, /* malformed; answer FORMERR */
	DNSD_PARSE_NOTIMP,  /* an opcode other than QUERY */
	DNSD_PARSE_BADVERS, /* EDNS version above 0 */
} dnsd_parse_t;

/* One parsed query. Filled by dnsd_query_parse() without allocation; lives on the
 * worker's stack for the length of one query. */
typedef struct {
	uint16_t id;			    /* from the header, echoed */
	uint8_t opcode;			    /* 0..15 */
	bool rd;			    /* recursion desired, echoed */
	bool cd;			    /* checking disabled, echoed */
	bool has_question;		    /* the question parsed (echo it in errors) */
	uint8_t qname[DNSD_NAME_MAX];	    /* lower-cased wire form of the question name */
	uint8_t qname_len;		    /* 1..255 bytes, including the root label */
	uint8_t label_count;		    /* labels before the root, 0..127 */
	uint8_t label_off[DNSD_LABELS_MAX]; /* offset of each label in qname */
	uint16_t qtype;			    /* RR type asked */
	uint16_t qclass;		    /* class asked */
	uint16_t question_end;		    /* offset in the query just past the question */
	bool has_edns;			    /* an OPT record was present (and parsed) */
	uint16_t udp_size;		    /* client's EDNS size (>= 512), 512 without EDNS */
	uint8_t edns_version;		    /* 0..255 */
	bool do_bit;			    /* DNSSEC OK, noted (we do not sign) */
	bool nsid;			    /* the client asked for NSID */
	bool has_ecs;			    /* a valid ECS option was present */
	uint16_t ecs_family;		    /* 1 (IPv4) or 2 (IPv6) */
	uint8_t ecs_source;		    /* source prefix length, 0..32 or 0..128 */
	uint8_t ecs_addr[16];		    /* the address, zero past ecs_source bits */
	uint8_t cookie_len;		    /* RFC 7873 COOKIE option length: 0 none, 8, 16..40 */
	uint16_t cookie_off;		    /* offset of the option's data in the query */
	uint8_t cookie_client[8];	    /* the client cookie, when cookie_len > 0 */
} dnsd_query_t;

/* Parses len bytes of msg. Even when the result is not DNSD_PARSE_OK, q->id, opcode and
 * rd are set (and the question when q->has_question) so an error can be answered. */
dnsd_parse_t dnsd_query_parse(const uint8_t *msg, size_t len, dnsd_query_t *q) M_NONNULL_ALL M_WUR;

/* Hash of a lower-cased wire name (used by the zone store and its lookups). */
uint32_t dnsd_name_hash(const uint8_t *name, size_t len) M_NONNULL_ALL M_PURE;

#endif
