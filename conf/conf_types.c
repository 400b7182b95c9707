/* SPDX-License-Identifier: MIT */
/* conf_types.c -- parsers for the typed scalar values of the config (durations, addresses...) */
#include "config.h"
#include "conf/conf_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int conf_uint_parse(const char *text, uint64_t *out)
{
	if (!isdigit((unsigned char)text[0]))
		return -1;
	uint64_t v = 0;
	for (const char *p = text; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int conf_bool_parse(const char *text, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	for (size_t i = 0; i < M_ARRAY_LEN(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int conf_double_parse(const char *text, double *out)
{
	char *end;
	if (text[0] == '\0' || isspace((unsigned char)text[0]))
		return -1;
	errno = 0;
	double v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* The units a duration may carry, in milliseconds. */
static const struct {
	const char *suffix; /* as written after the number: "d", "h", "ms", "m", "s" */
	uint64_t ms;	    /* milliseconds in one of it */
} conf_duration_units[] = {
    {"d", 86400000}, {"h", 3600000}, {"ms", 1}, {"m", 60000}, {"s", 1000},
};

int conf_duration_parse(const char *text, uint64_t *ms)
{
	const char *p = text;
	uint64_t v = 0;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	for (size_t i = 0; i < M_ARRAY_LEN(conf_duration_units); i++) {
		if (strcmp(p, conf_duration_units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / conf_duration_units[i].ms)
			return -1;
		*ms = v * conf_duration_units[i].ms;
		return 0;
	}
	return -1;
}

void conf_duration_format(uint64_t ms, char *out, size_t size)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
	if (ms != 0)
		for (size_t i = 0; i < M_ARRAY_LEN(units); i++)
			if (ms % units[i].ms == 0) {
				snprintf(out, size, "%llu%s",
					 (unsigned long long)(ms / units[i].ms), units[i].suffix);
				return;
			}
	snprintf(out, size, "%llums", (unsigned long long)ms);
}

static int port_parse(const char *text, bool any_port, uint16_t *port)
{
	uint64_t v;
	if (conf_uint_parse(text, &v) < 0 || (v == 0 && !any_port) || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

bool conf_sockaddr_has_port(const char *text)
{
	if (text[0] == '[')
		return strstr(text, "]:") != NULL;
	const char *colon = strchr(text, ':');
	return colon != NULL && strchr(colon + 1, ':') == NULL;
}

static int sockaddr_parse(const char *text, uint16_t default_port, bool any_port,
			  conf_sockaddr_t *out)
{
	char host[64];
	const char *port_text = NULL;
	size_t len = strlen(text);
	if (len == 0 || len >= sizeof(out->text))
		return -1;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (close == NULL || (size_t)(close - text - 1) >= sizeof(host))
			return -1;
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		if (close[1] == ':')
			port_text = close + 2;
		else if (close[1] != '\0')
			return -1;
		if (strchr(host, ':') == NULL)
			return -1; /* brackets are for IPv6 only */
	} else {
		const char *colon = strchr(text, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			memcpy(host, text, (size_t)(colon - text));
			host[colon - text] = '\0';
			port_text = colon + 1;
		} else {
			memcpy(host, text, len + 1);
		}
	}
	uint16_t port = default_port;
	if (port_text != NULL) {
		if (port_parse(port_text, any_port, &port) < 0)
			return -1;
	} else if (default_port == 0) {
		return -1;
	}
	conf_sockaddr_t result;
	memset(&result, 0, sizeof(result));
	struct sockaddr_in *sin = (struct sockaddr_in *)&result.addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&result.addr;
	if (strchr(host, ':') == NULL && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		result.len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		result.len = sizeof(*sin6);
	} else {
		return -1;
	}
	memcpy(result.text, text, len + 1);
	*out = result;
	return 0;
}

int conf_sockaddr_parse(const char *text, uint16_t default_port, conf_sockaddr_t *out)
{
	return sockaddr_parse(text, default_port, false, out);
}

int conf_listen_parse(const char *text, uint16_t default_port, conf_sockaddr_t *out)
{
	return sockaddr_parse(text, default_port, true, out);
}

int conf_sockaddr_parse_port0(const char *text, uint16_t default_port, bool zero_ok,
			      conf_sockaddr_t *out)
{
	return sockaddr_parse(text, default_port, zero_ok, out);
}

int conf_ipaddr_parse(const char *text, conf_ipaddr_t *out)
{
	return ipaddr_parse(text, out);
}

int conf_cidr_parse(const char *text, conf_ipaddr_t *addr, unsigned *prefix)
{
	char host[64];
	const char *slash = strchr(text, '/');
	if (slash == NULL || (size_t)(slash - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	uint64_t bits;
	if (conf_ipaddr_parse(host, addr) < 0 || conf_uint_parse(slash + 1, &bits) < 0)
		return -1;
	unsigned max = addr->family == AF_INET ? 32 : 128;
	if (bits > max)
		return -1;
	/* host bits set usually means a typo in the prefix length */
	for (unsigned i = (unsigned)bits; i < max; i++)
		if (addr->bytes[i / 8] & (0x80u >> (i % 8)))
			return -1;
	*prefix = (unsigned)bits;
	return 0;
}

int conf_geo_key_check(const char *text, const char **why)
{
	static const char *const continents[] = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"};
	char part[3][16];
	size_t parts = 0;
	const char *p = text;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (parts == 3 || n == 0 || n >= sizeof(part[0])) {
			*why = "expected CONTINENT[/COUNTRY[/SUBDIVISION]]";
			return -1;
		}
		memcpy(part[parts], p, n);
		part[parts][n] = '\0';
		parts++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	bool found = false;
	for (size_t i = 0; i < M_ARRAY_LEN(continents); i++)
		if (strcmp(part[0], continents[i]) == 0)
			found = true;
	if (!found) {
		*why = "the continent must be one of AF AN AS EU NA OC SA";
		return -1;
	}
	if (parts > 1 && (strlen(part[1]) != 2 || !isupper((unsigned char)part[1][0]) ||
			  !isupper((unsigned char)part[1][1]))) {
		*why = "the country must be an ISO 3166-1 code of two capital letters";
		return -1;
	}
	if (parts > 2) {
		for (const char *c = part[2]; *c != '\0'; c++)
			if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c)) {
				*why =
				    "the subdivision must be an ISO 3166-2 code (capitals, digits)";
				return -1;
			}
	}
	return 0;
}

char *conf_dname_normalize(const char *text, const char **why)
{
	size_t len = strlen(text);
	if (strcmp(text, ".") == 0)
		return strdup(".");
	if (len == 0) {
		*why = "the name is empty";
		return NULL;
	}
	if (len > 253 + (text[len - 1] == '.')) {
		*why = "the name is longer than 253 characters";
		return NULL;
	}
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '.') {
			if (label == 0) {
				*why = "the name has an empty label";
				return NULL;
			}
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_' && c != '*') {
			*why = "the name may hold only letters, digits, '-', '_' and '.'";
			return NULL;
		}
		if (++label > 63) {
			*why = "a label is longer than 63 characters";
			return NULL;
		}
	}
	bool dot = text[len - 1] == '.';
	char *name = malloc(len + (dot ? 1 : 2));
	if (name == NULL) {
		*why = "out of memory";
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)text[i]);
	if (!dot)
		name[len++] = '.';
	name[len] = '\0';
	return name;
}

bool conf_dname_is_below(const char *name, const char *origin)
{
	size_t n = strlen(name), o = strlen(origin);
	if (strcmp(origin, ".") == 0)
		return true;
	if (n < o || strcmp(name + n - o, origin) != 0)
		return false;
	return n == o || name[n - o - 1] == '.';
}

int conf_status_range_parse(const char *text, conf_status_range_t *out)
{
	const char *dash = strchr(text, '-');
	uint64_t lo, hi;
	if (dash != NULL) {
		char low[8];
		if ((size_t)(dash - text) >= sizeof(low))
			return -1;
		memcpy(low, text, (size_t)(dash - text));
		low[dash - text] = '\0';
		if (conf_uint_parse(low, &lo) < 0 || conf_uint_parse(dash + 1, &hi) < 0)
			return -1;
	} else {
		if (conf_uint_parse(text, &lo) < 0)
			return -1;
		hi = lo;
	}
	if (lo < 100 || hi > 599 || lo > hi)
		return -1;
	out->low = (uint16_t)lo;
	out->high = (uint16_t)hi;
	return 0;
}

/* Edit distance with adjacent transpositions ("chekc" is one edit from "check"). */
size_t conf_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 31 || lb > 31)
		return SIZE_MAX;
	size_t d[32][32];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}
