/* SPDX-License-Identifier: MIT */
/* dns_wire.c -- names of types and rcodes, and names on the wire (encode, decode, compare) */
#include "config.h"
#include "base/dns_wire.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Types named in configs, logs and tools; upper case, as in zone files. */
static const struct {
	const char *name; /* mnemonic */
	uint16_t type;	  /* its number */
} dns_types[] = {
    {"A", DNS_TYPE_A},		 {"NS", DNS_TYPE_NS},
    {"CNAME", DNS_TYPE_CNAME},	 {"SOA", DNS_TYPE_SOA},
    {"PTR", DNS_TYPE_PTR},	 {"MX", DNS_TYPE_MX},
    {"TXT", DNS_TYPE_TXT},	 {"AAAA", DNS_TYPE_AAAA},
    {"SRV", DNS_TYPE_SRV},	 {"DNAME", DNS_TYPE_DNAME},
    {"OPT", DNS_TYPE_OPT},	 {"DS", DNS_TYPE_DS},
    {"RRSIG", DNS_TYPE_RRSIG},	 {"NSEC", DNS_TYPE_NSEC},
    {"DNSKEY", DNS_TYPE_DNSKEY}, {"NSEC3", DNS_TYPE_NSEC3},
    {"NSEC3PARAM", DNS_TYPE_NSEC3PARAM}, {"SVCB", DNS_TYPE_SVCB},
    {"HTTPS", DNS_TYPE_HTTPS},	 {"IXFR", DNS_TYPE_IXFR},
    {"AXFR", DNS_TYPE_AXFR},	 {"ANY", DNS_TYPE_ANY},
    {"CAA", DNS_TYPE_CAA},
};

/* Mnemonics of rcodes 0..10 (RFC 1035, RFC 2136), by value. */
static const char *const dns_rcodes[] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN",
					 "NOTIMP",   "REFUSED", "YXDOMAIN", "YXRRSET",
					 "NXRRSET",  "NOTAUTH", "NOTZONE"};

/* A decimal number of up to 10 digits, nothing else: 0 and *out, or -1. */
static int small_uint(const char *text, unsigned long *out)
{
	size_t n = strlen(text);
	if (n == 0 || n > 10 || strspn(text, "0123456789") != n)
		return -1;
	*out = strtoul(text, NULL, 10);
	return 0;
}

const char *dns_type_name(uint16_t type)
{
	for (size_t i = 0; i < M_ARRAY_LEN(dns_types); i++)
		if (dns_types[i].type == type)
			return dns_types[i].name;
	return NULL;
}

int dns_type_parse(const char *text, uint16_t *out)
{
	for (size_t i = 0; i < M_ARRAY_LEN(dns_types); i++)
		if (strcasecmp(text, dns_types[i].name) == 0) {
			*out = dns_types[i].type;
			return 0;
		}
	unsigned long v;
	if (strncasecmp(text, "TYPE", 4) == 0 && small_uint(text + 4, &v) == 0 && v > 0 &&
	    v <= 65535) {
		*out = (uint16_t)v;
		return 0;
	}
	return -1;
}

const char *dns_rcode_name(int rcode)
{
	if (rcode >= 0 && (size_t)rcode < M_ARRAY_LEN(dns_rcodes))
		return dns_rcodes[rcode];
	if (rcode == DNS_RCODE_BADVERS)
		return "BADVERS";
	if (rcode == DNS_RCODE_BADCOOKIE)
		return "BADCOOKIE";
	return NULL;
}

int dns_rcode_parse(const char *text, int *out)
{
	for (size_t i = 0; i < M_ARRAY_LEN(dns_rcodes); i++)
		if (strcasecmp(text, dns_rcodes[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	unsigned long v;
	if (small_uint(text, &v) == 0 && v <= 15) {
		*out = (int)v;
		return 0;
	}
	return -1;
}

int dns_name_encode(const char *text, uint8_t *out, size_t outlen)
{
	size_t pos = 0;
	const char *p = text;
	if (strcmp(p, ".") == 0)
		p++;
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t label = dot ? (size_t)(dot - p) : strlen(p);
		if (label == 0 || label > DNS_LABEL_MAX || pos + 1 + label + 1 > DNS_NAME_MAX ||
		    pos + 1 + label + 1 > outlen)
			return -1;
		out[pos++] = (uint8_t)label;
		memcpy(out + pos, p, label);
		pos += label;
		p += label;
		if (*p == '.')
			p++;
	}
	if (pos + 1 > outlen)
		return -1;
	out[pos++] = 0;
	return (int)pos;
}

int dns_name_decode(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[DNS_NAME_MAX])
{
	size_t p = *pos, limit = *pos, n = 0;
	bool jumped = false;
	for (;;) {
		if (p >= len)
			return -1;
		uint8_t c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len)
				return -1;
			size_t target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
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
		if (n + 1 + c > DNS_NAME_MAX || p + 1 + c > len)
			return -1;
		out[n++] = c;
		if (c == 0)
			break;
		for (size_t i = 0; i < c; i++) {
			uint8_t b = msg[p + 1 + i];
			out[n++] = (b >= 'A' && b <= 'Z') ? (uint8_t)(b | 0x20) : b;
		}
		p += 1 + (size_t)c;
	}
	if (!jumped)
		*pos = p + 1;
	return (int)n;
}

bool dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	/* Length bytes are at most 63, below 'A': folding them changes nothing. */
	for (size_t i = 0; i < alen; i++) {
		uint8_t x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return false;
	}
	return true;
}
