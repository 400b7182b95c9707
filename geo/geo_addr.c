/* SPDX-License-Identifier: MIT */
/* geo_addr.c -- IPv6 forms that carry an IPv4 address, CIDR parsing */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/ipaddr.h"
#include "geo/geo_addr.h"

const geo_form_desc_t geo_forms[GEO_FORM_COUNT] = {
    [GEO_FORM_NATIVE] = {GEO_FORM_NATIVE, "native", {0}, 0, 0, false},
    [GEO_FORM_MAPPED] =
	{GEO_FORM_MAPPED, "ipv4-mapped", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, 96, false},
    [GEO_FORM_COMPAT] = {GEO_FORM_COMPAT, "ipv4-compatible", {0}, 96, 96, false},
    [GEO_FORM_NAT64] = {GEO_FORM_NAT64, "nat64", {0x00, 0x64, 0xff, 0x9b}, 96, 96, false},
    [GEO_FORM_6TO4] = {GEO_FORM_6TO4, "6to4", {0x20, 0x02}, 16, 16, false},
    [GEO_FORM_TEREDO] = {GEO_FORM_TEREDO, "teredo", {0x20, 0x01, 0x00, 0x00}, 32, 96, true},
};

static bool prefix_match(const uint8_t *addr, const uint8_t *prefix, unsigned len)
{
	unsigned bytes = len / 8, rest = len % 8;

	if (memcmp(addr, prefix, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (addr[bytes] & mask) == (prefix[bytes] & mask);
}

geo_form_t geo_addr_form(const uint8_t v6[16])
{
	for (int f = GEO_FORM_MAPPED; f < GEO_FORM_COUNT; f++) {
		if (!prefix_match(v6, geo_forms[f].prefix, geo_forms[f].prefix_len))
			continue;
		/* ::/127 is the unspecified and loopback address, not IPv4 0.0.0.0/31. */
		if (f == GEO_FORM_COMPAT && geo_addr_is_unspecified_or_loopback(v6))
			return GEO_FORM_NATIVE;
		return (geo_form_t)f;
	}
	return GEO_FORM_NATIVE;
}

bool geo_addr_is_unspecified_or_loopback(const uint8_t v6[16])
{
	static const uint8_t zero[15];

	return memcmp(v6, zero, sizeof(zero)) == 0 && v6[15] <= 1;
}

unsigned geo_addr_common_bits(const uint8_t *a, const uint8_t *b, unsigned max)
{
	unsigned i = 0;

	while (i + 8 <= max && a[i / 8] == b[i / 8])
		i += 8;
	while (i < max && geo_bit(a, i) == geo_bit(b, i))
		i++;
	return i;
}

void geo_addr_embedded_v4(geo_form_t f, const uint8_t v6[16], uint8_t v4[4])
{
	const geo_form_desc_t *d = &geo_forms[f];
	unsigned byte = d->v4_offset / 8; /* every offset is a multiple of 8 */

	for (unsigned i = 0; i < 4; i++)
		v4[i] = d->inverted ? (uint8_t)~v6[byte + i] : v6[byte + i];
}

void geo_addr_mask(int family, const uint8_t *addr, unsigned prefix, uint8_t out[16])
{
	unsigned len = family == AF_INET ? 4 : 16;

	memset(out, 0, 16);
	if (prefix > len * 8)
		prefix = len * 8;
	memcpy(out, addr, (prefix + 7) / 8);
	if (prefix % 8)
		out[prefix / 8] &= (uint8_t)(0xff << (8 - prefix % 8));
}

int geo_net_parse(const char *text, int *family, uint8_t addr[16], unsigned *prefix, char *err,
		  size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t hostlen = slash ? (size_t)(slash - text) : strlen(text);
	ipaddr_t ip;
	unsigned max;

	if (hostlen == 0 || hostlen >= sizeof(host)) {
		snprintf(err, errlen, "%s: not an address", text);
		return -1;
	}
	memcpy(host, text, hostlen);
	host[hostlen] = '\0';
	if (ipaddr_parse(host, &ip) < 0) {
		snprintf(err, errlen, "%s: not an address", text);
		return -1;
	}
	*family = ip.family;
	memcpy(addr, ip.bytes, 16);
	max = ip.family == AF_INET ? 32 : 128;
	*prefix = max;
	if (slash) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno || n > max) {
			snprintf(err, errlen, "%s: prefix length must be 0..%u", text, max);
			return -1;
		}
		*prefix = (unsigned)n;
	}
	uint8_t masked[16];
	geo_addr_mask(*family, addr, *prefix, masked);
	if (memcmp(masked, addr, 16) != 0) {
		snprintf(err, errlen, "%s: host bits set beyond /%u", text, *prefix);
		return -1;
	}
	return 0;
}

void geo_net_format(int family, const uint8_t *addr, unsigned prefix, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	snprintf(buf, len, "%s/%u", host, prefix);
}
