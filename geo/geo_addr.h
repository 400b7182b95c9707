/* SPDX-License-Identifier: MIT */
/* geo_addr.h -- IPv6 forms that carry an IPv4 address, CIDR parsing, bit access */
#ifndef MERIDIAN_GEO_ADDR_H
#define MERIDIAN_GEO_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* How an IPv6 address relates to IPv4. Every form but NATIVE is looked up as the
 * IPv4 address it carries. */
typedef enum {
	GEO_FORM_NATIVE = 0, /* an IPv6 address in its own right */
	GEO_FORM_MAPPED,     /* ::ffff:0:0/96, IPv4 in bits 96..127 */
	GEO_FORM_COMPAT,     /* ::/96 except :: and ::1, IPv4 in bits 96..127 */
	GEO_FORM_NAT64,	     /* 64:ff9b::/96 (RFC 6052), IPv4 in bits 96..127 */
	GEO_FORM_6TO4,	     /* 2002::/16 (RFC 3056), IPv4 in bits 16..47 */
	GEO_FORM_TEREDO,     /* 2001::/32 (RFC 4380), client IPv4 = ~bits 96..127 */
	GEO_FORM_COUNT,
} geo_form_t;

/* Where one IPv4-carrying form lives in the IPv6 space. */
typedef struct {
	geo_form_t form;     /* which form */
	const char *name;    /* "ipv4-mapped", "6to4", ... for messages */
	uint8_t prefix[16];  /* the IPv6 prefix of the form, host bits zero */
	unsigned prefix_len; /* 16..96 */
	unsigned v4_offset;  /* first bit of the IPv4 address, 16..96 */
	bool inverted;	     /* the IPv4 bits are stored complemented (Teredo) */
} geo_form_desc_t;

/* The forms, indexed by geo_form_t (entry 0 is NATIVE, prefix_len 0, unused). */
extern const geo_form_desc_t geo_forms[GEO_FORM_COUNT];

/* Bit i (0 = most significant of byte 0) of a network-order address. */
static inline unsigned geo_bit(const uint8_t *addr, unsigned i)
{
	return (addr[i >> 3] >> (7u - (i & 7u))) & 1u;
}

/* Which form v6 has; :: and ::1 are NATIVE (loopback/unspecified carry no IPv4). */
geo_form_t geo_addr_form(const uint8_t v6[16]) M_NONNULL_ALL M_PURE;
/* True for :: and ::1 (::/127): inside ::/96 but carrying no IPv4 address. */
bool geo_addr_is_unspecified_or_loopback(const uint8_t v6[16]) M_NONNULL_ALL M_PURE;
/* The number of leading bits a and b share, at most max. */
unsigned geo_addr_common_bits(const uint8_t *a, const uint8_t *b,
			      unsigned max) M_NONNULL_ALL M_PURE;
/* Extracts the IPv4 address that form f of v6 carries (undoing Teredo's complement). */
void geo_addr_embedded_v4(geo_form_t f, const uint8_t v6[16], uint8_t v4[4]) M_NONNULL_ALL;

/* Copies the first prefix bits of addr (4 or 16 bytes by family) into out and zeroes the
 * rest of out's 16 bytes: the address as a resolver's ECS option describes it. */
void geo_addr_mask(int family, const uint8_t *addr, unsigned prefix, uint8_t out[16]) M_NONNULL_ALL;

/* Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (/32 or /128). Host bits beyond
 * the prefix must be zero. Returns 0, or -1 with "TEXT: reason" in err. */
int geo_net_parse(const char *text, int *family, uint8_t addr[16], unsigned *prefix, char *err,
		  size_t errlen) M_NONNULL(1, 2, 3, 4) M_WUR;

/* Formats family/addr/prefix as "a.b.c.d/n" or "x::/n" into buf (>= 64 bytes). */
void geo_net_format(int family, const uint8_t *addr, unsigned prefix, char *buf,
		    size_t len) M_NONNULL_ALL;

#endif
