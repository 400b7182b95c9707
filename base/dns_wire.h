/* SPDX-License-Identifier: MIT */
/* dns_wire.h -- the DNS wire vocabulary every floor shares: types, classes, rcodes, names, fields */
#ifndef MERIDIAN_DNS_WIRE_H
#define MERIDIAN_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Sizes of RFC 1035: the fixed header, a whole name on the wire (length bytes and the
 * root label included) and one label. */
enum { DNS_HEADER_SIZE = 12, DNS_NAME_MAX = 255, DNS_LABEL_MAX = 63 };

/* RR types Meridian names (IANA "Resource Record (RR) TYPEs"); any other is TYPEnnn. */
enum {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_DNAME = 39,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_DS = 43,
	DNS_TYPE_RRSIG = 46,
	DNS_TYPE_NSEC = 47,
	DNS_TYPE_DNSKEY = 48,
	DNS_TYPE_NSEC3 = 50,
	DNS_TYPE_NSEC3PARAM = 51,
	DNS_TYPE_SVCB = 64,
	DNS_TYPE_HTTPS = 65,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_ANY = 255,
	DNS_TYPE_CAA = 257,
};

/* Classes (RFC 1035, RFC 2136 for ANY as a QCLASS). */
enum { DNS_CLASS_IN = 1, DNS_CLASS_CH = 3, DNS_CLASS_ANY = 255 };

/* Response codes: the header's four bits (RFC 1035, RFC 2136) and the extended ones an
 * OPT record carries (RFC 6891, RFC 7873). */
enum {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_YXDOMAIN = 6,
	DNS_RCODE_YXRRSET = 7,
	DNS_RCODE_NXRRSET = 8,
	DNS_RCODE_NOTAUTH = 9,
	DNS_RCODE_NOTZONE = 10,
	DNS_RCODE_BADVERS = 16,
	DNS_RCODE_BADCOOKIE = 23,
};

/* Big-endian fields, inline for the query path: p points at 2 or 4 readable (writable)
 * bytes; no alignment needed. */
static inline uint16_t dns_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t dns_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void dns_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The mnemonic of an RR type ("AAAA"), NULL when the table has none. */
const char *dns_type_name(uint16_t type) M_WUR;
/* A type by mnemonic (any case) or as TYPEnnn (RFC 3597, 1..65535): 0, or -1 (out
 * untouched). */
int dns_type_parse(const char *text, uint16_t *out) M_NONNULL_ALL M_WUR;
/* The mnemonic of an rcode ("NXDOMAIN", "BADCOOKIE"), NULL when it has none. */
const char *dns_rcode_name(int rcode) M_WUR;
/* A header rcode by mnemonic (any case, 0..10) or number (0..15): 0, or -1 (out
 * untouched). */
int dns_rcode_parse(const char *text, int *out) M_NONNULL_ALL M_WUR;

/* Encodes the presentation name text ("www.example.com", trailing dot optional, "." the
 * root; no escapes) as uncompressed wire labels ending with the root label. The length
 * written (1..DNS_NAME_MAX), or -1 for an empty or over-long label, a name over
 * DNS_NAME_MAX, or out too small. */
int dns_name_encode(const char *text, uint8_t *out, size_t outlen) M_NONNULL_ALL M_WUR;
/* Reads the possibly compressed name at *pos in msg[0..len) into out (uncompressed,
 * lower-cased; DNS_NAME_MAX bytes) and moves *pos past it (past the first pointer when
 * there is one). Every pointer must lead before the one followed last (the first before
 * the name's start), so no loop can form. The name's length, or -1 when it is malformed
 * (truncated, a reserved label type, a forward pointer, longer than DNS_NAME_MAX). */
int dns_name_decode(const uint8_t *msg, size_t len, size_t *pos,
		    uint8_t out[DNS_NAME_MAX]) M_NONNULL_ALL M_WUR;
/* Moves *pos past the name at *pos (a pointer ends it), without reading where it
 * points: 0, or -1 when it runs past len or has a reserved label type. Inline: the query
 * path skips the OPT record's owner with it. */
static inline int dns_name_skip(const uint8_t *msg, size_t len, size_t *pos)
{
	size_t p = *pos;
	for (;;) {
		if (p >= len)
			return -1;
		uint8_t l = msg[p];
		if (l == 0) {
			p++;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			if (p + 2 > len)
				return -1;
			p += 2;
			break;
		}
		if (l > DNS_LABEL_MAX)
			return -1;
		p += 1 + (size_t)l;
	}
	*pos = p;
	return 0;
}
/* Two uncompressed wire names are the same name (ASCII letters compared without case). */
bool dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b,
		    size_t blen) M_NONNULL_ALL M_WUR;

#endif
