/* SPDX-License-Identifier: MIT */
/* conf_canon.c -- the canonical JSON of the shared part of a parsed config, for drift checks */
#include "config.h"
#include "conf/conf_canon.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_escape.h"
#include "conf/conf_internal.h"

/* The walk follows the option table (conf_options.c), so an option added there is in
 * the digest without a change here; only a new value type needs a case below. */

#define FIELD(base, off, type) ((type const *)(const void *)((const char *)(base) + (off)))

/* The text being built. */
typedef struct {
	char *text;	     /* malloc'd, NUL-terminated */
	size_t len;	     /* bytes used, without the NUL */
	size_t cap;	     /* bytes allocated */
	bool oom;	     /* an allocation failed: the result is NULL */
	const conf_t *conf;  /* for datacenter indexes */
} canon_t;

static int put(void *ctx, const char *p, size_t n)
{
	canon_t *c = ctx;

	if (c->oom)
		return -1;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 1024;
		char *grown;

		while (cap < c->len + n + 1)
			cap *= 2;
		grown = realloc(c->text, cap);
		if (grown == NULL) {
			c->oom = true;
			return -1;
		}
		c->text = grown;
		c->cap = cap;
	}
	memcpy(c->text + c->len, p, n);
	c->len += n;
	c->text[c->len] = '\0';
	return 0;
}

static void puts_(canon_t *c, const char *s)
{
	(void)put(c, s, strlen(s));
}

static void M_PRINTF(2, 3) putf(canon_t *c, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	puts_(c, buf);
}

static void string(canon_t *c, const char *s)
{
	if (s == NULL)
		puts_(c, "null");
	else if (json_escape(s, JSON_ESCAPE_UTF8, put, c) != 0)
		c->oom = true;
}

static void ipaddr(canon_t *c, const conf_ipaddr_t *a)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family, a->bytes, text, sizeof(text)) == NULL)
		text[0] = '\0';
	string(c, text);
}

/* "192.0.2.1:53" or "[2001:db8::1]:53", from the parsed address (not as written). */
static void sockaddr(canon_t *c, const conf_sockaddr_t *sa)
{
	char text[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN + 8];

	if (sa->len == 0) {
		puts_(c, "null");
		return;
	}
	if (sa->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)&sa->addr;

		inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		snprintf(out, sizeof(out), "[%s]:%u", text, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)&sa->addr;

		inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
		snprintf(out, sizeof(out), "%s:%u", text, ntohs(s4->sin_port));
	}
	string(c, out);
}

static void dc_list(canon_t *c, const size_t *dcs, size_t count)
{
	puts_(c, "[");
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			puts_(c, ",");
		string(c, dcs[i] < c->conf->datacenter_count ? c->conf->datacenters[dcs[i]].name
							      : NULL);
	}
	puts_(c, "]");
}

static int weight_cmp(const void *a, const void *b, void *conf)
{
	const conf_t *c = conf;
	size_t x = ((const conf_dc_weight_t *)a)->dc, y = ((const conf_dc_weight_t *)b)->dc;

	return strcmp(x < c->datacenter_count ? c->datacenters[x].name : "",
		      y < c->datacenter_count ? c->datacenters[y].name : "");
}

/* Weights as an object by datacenter name, sorted: the order they are written in does
 * not change a split (each datacenter hashes by its name). */
static void dc_weights(canon_t *c, const conf_dc_weight_t *w, size_t count)
{
	conf_dc_weight_t *order = calloc(count ? count : 1, sizeof(*order));

	if (order == NULL) {
		c->oom = true;
		return;
	}
	if (count > 0)
		memcpy(order, w, count * sizeof(*order));
	qsort_r(order, count, sizeof(*order), weight_cmp, (void *)c->conf);
	puts_(c, "{");
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			puts_(c, ",");
		string(c, order[i].dc < c->conf->datacenter_count
			      ? c->conf->datacenters[order[i].dc].name
			      : NULL);
		putf(c, ":%u", order[i].weight);
	}
	puts_(c, "}");
	free(order);
}

static int rule_cmp(const void *a, const void *b)
{
	return strcmp((*(const conf_geo_rule_t *const *)a)->key,
		      (*(const conf_geo_rule_t *const *)b)->key);
}

/* qsort_r: elements of a named map by the name at *offset. */
static int element_cmp(const void *a, const void *b, void *offset)
{
	size_t off = *(const size_t *)offset;

	return strcmp(*FIELD(*(const void *const *)a, off, const char *),
		      *FIELD(*(const void *const *)b, off, const char *));
}

/* Geo rules as an object keyed by rule, sorted. */
static void geo_rules(canon_t *c, const conf_geo_rule_t *rules, size_t count)
{
	const conf_geo_rule_t **order = calloc(count ? count : 1, sizeof(*order));

	if (order == NULL) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < count; i++)
		order[i] = &rules[i];
	qsort(order, count, sizeof(*order), rule_cmp);
	puts_(c, "{");
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			puts_(c, ",");
		string(c, order[i]->key);
		puts_(c, ":");
		if (order[i]->weight_count > 0) {
			puts_(c, "{\"datacenters\":");
			dc_list(c, order[i]->datacenters, order[i]->count);
			puts_(c, ",\"weights\":");
			dc_weights(c, order[i]->weights, order[i]->weight_count);
			puts_(c, "}");
		} else {
			dc_list(c, order[i]->datacenters, order[i]->count);
		}
	}
	puts_(c, "}");
	free(order);
}

static void section(canon_t *c, const conf_section_t *sec, const void *base);

static bool option_omitted(const conf_option_t *opt)
{
	return (opt->flags & CONF_F_LOCAL) || opt->type == CONF_T_PATH ||
	       opt->type == CONF_T_PEERS || opt->type == CONF_T_ONE;
}

/* One element of a MAP or LIST. */
static const void *element(const conf_option_t *opt, const void *base, size_t i)
{
	const char *elems = *FIELD(base, opt->offset, const char *);

	return elems + i * opt->child->elem_size;
}

/* A named map as an object sorted by name. */
static void named_map(canon_t *c, const conf_option_t *opt, const void *base)
{
	size_t count = *FIELD(base, opt->aux, size_t);
	const void **order = calloc(count ? count : 1, sizeof(*order));

	if (order == NULL) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < count; i++)
		order[i] = element(opt, base, i);
	size_t off = opt->child->name_offset;

	qsort_r(order, count, sizeof(*order), element_cmp, &off);
	puts_(c, "{");
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			puts_(c, ",");
		string(c, *FIELD(order[i], opt->child->name_offset, const char *));
		puts_(c, ":");
		section(c, opt->child, order[i]);
	}
	puts_(c, "}");
	free(order);
}

static void value(canon_t *c, const conf_option_t *opt, const void *base)
{
	static const char *const check_types[] = {"http", "https", "tcp", "dns", "exec"};

	switch (opt->type) {
	case CONF_T_STRING:
	case CONF_T_ID:
	case CONF_T_ENUM:
	case CONF_T_DNAME:
	case CONF_T_URL:
		string(c, *FIELD(base, opt->offset, const char *));
		break;
	case CONF_T_BOOL:
		puts_(c, *FIELD(base, opt->offset, bool) ? "true" : "false");
		break;
	case CONF_T_UINT:
	case CONF_T_DURATION:
		putf(c, "%u", *FIELD(base, opt->offset, uint32_t));
		break;
	case CONF_T_SOCKADDR:
		sockaddr(c, FIELD(base, opt->offset, conf_sockaddr_t));
		break;
	case CONF_T_SOCKADDRS: {
		const conf_sockaddr_t *list = *FIELD(base, opt->offset, const conf_sockaddr_t *);
		size_t n = *FIELD(base, opt->aux, size_t);

		puts_(c, "[");
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				puts_(c, ",");
			sockaddr(c, &list[i]);
		}
		puts_(c, "]");
		break;
	}
	case CONF_T_IPADDRS: {
		const conf_ipaddr_t *list = *FIELD(base, opt->offset, const conf_ipaddr_t *);
		size_t n = *FIELD(base, opt->aux, size_t);

		puts_(c, "[");
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				puts_(c, ",");
			ipaddr(c, &list[i]);
		}
		puts_(c, "]");
		break;
	}
	case CONF_T_NETS: {
		/* "192.0.2.0/24": the parsed prefix, so the spelling does not count. */
		const conf_net_t *list = *FIELD(base, opt->offset, const conf_net_t *);
		size_t n = *FIELD(base, opt->aux, size_t);

		puts_(c, "[");
		for (size_t i = 0; i < n; i++) {
			char text[INET6_ADDRSTRLEN];

			if (i > 0)
				puts_(c, ",");
			if (inet_ntop(list[i].addr.family, list[i].addr.bytes, text, sizeof(text)) ==
			    NULL)
				text[0] = '\0';
			putf(c, "\"%s/%u\"", text, (unsigned)list[i].prefix);
		}
		puts_(c, "]");
		break;
	}
	case CONF_T_COORDS:
		if ((opt->flags & CONF_F_PRESENT) && !*FIELD(base, opt->present_offset, bool))
			puts_(c, "null");
		else
			putf(c, "[%.17g,%.17g]", *FIELD(base, opt->offset, double),
			     *FIELD(base, opt->aux, double));
		break;
	case CONF_T_DC_LIST:
		dc_list(c, *FIELD(base, opt->offset, const size_t *), *FIELD(base, opt->aux, size_t));
		break;
	case CONF_T_DC_WEIGHTS:
		if (*FIELD(base, opt->aux, size_t) == 0)
			puts_(c, "null");
		else
			dc_weights(c, *FIELD(base, opt->offset, const conf_dc_weight_t *),
				   *FIELD(base, opt->aux, size_t));
		break;
	case CONF_T_CHECK_TYPE: {
		conf_check_type_t t = *FIELD(base, opt->offset, conf_check_type_t);

		string(c, (size_t)t < M_ARRAY_LEN(check_types) ? check_types[t] : NULL);
		break;
	}
	case CONF_T_CHECK_RULE: {
		conf_check_rule_t r = *FIELD(base, opt->offset, conf_check_rule_t);

		if (r == CONF_CHECK_RULE_PERCENT)
			putf(c, "\"%u%%\"", *FIELD(base, opt->aux, uint32_t));
		else
			string(c, r == CONF_CHECK_RULE_ANY ? "any" : "all");
		break;
	}
	case CONF_T_EXPECT: {
		const conf_status_range_t *r = FIELD(base, opt->offset, conf_status_range_t);
		size_t n = *FIELD(base, opt->aux, size_t);

		puts_(c, "[");
		for (size_t i = 0; i < n && i < 8; i++)
			putf(c, "%s\"%u-%u\"", i > 0 ? "," : "", r[i].low, r[i].high);
		puts_(c, "]");
		break;
	}
	case CONF_T_ARGV: {
		const char *const *argv = *FIELD(base, opt->offset, const char *const *);

		if (argv == NULL) {
			puts_(c, "null");
			break;
		}
		puts_(c, "[");
		for (size_t i = 0; argv[i] != NULL; i++) {
			if (i > 0)
				puts_(c, ",");
			string(c, argv[i]);
		}
		puts_(c, "]");
		break;
	}
	case CONF_T_RRTYPE:
		putf(c, "%u", *FIELD(base, opt->offset, uint16_t));
		break;
	case CONF_T_RCODE:
		putf(c, "%d", *FIELD(base, opt->offset, int));
		break;
	case CONF_T_SECTION:
		section(c, opt->child, base);
		break;
	case CONF_T_MAP:
		named_map(c, opt, base);
		break;
	case CONF_T_LIST: {
		size_t n = *FIELD(base, opt->aux, size_t);

		puts_(c, "[");
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				puts_(c, ",");
			section(c, opt->child, element(opt, base, i));
		}
		puts_(c, "]");
		break;
	}
	case CONF_T_GEO_MAP:
	case CONF_T_GEO_NETS:
		geo_rules(c, *FIELD(base, opt->offset, const conf_geo_rule_t *),
			  *FIELD(base, opt->aux, size_t));
		break;
	case CONF_T_PATH:
	case CONF_T_PEERS:
	case CONF_T_ONE:
		puts_(c, "null"); /* omitted before we get here */
		break;
	}
}

static int option_cmp(const void *a, const void *b)
{
	return strcmp((*(const conf_option_t *const *)a)->key,
		      (*(const conf_option_t *const *)b)->key);
}

/* A section as an object of its shared options, sorted by key. */
static void section(canon_t *c, const conf_section_t *sec, const void *base)
{
	const conf_option_t *order[64];
	size_t n = 0;

	for (size_t i = 0; i < sec->option_count && n < M_ARRAY_LEN(order); i++)
		if (!option_omitted(&sec->options[i]))
			order[n++] = &sec->options[i];
	qsort(order, n, sizeof(*order), option_cmp);
	puts_(c, "{");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			puts_(c, ",");
		string(c, order[i]->key);
		puts_(c, ":");
		value(c, order[i], base);
	}
	puts_(c, "}");
}

char *conf_canonical_json(const conf_t *conf)
{
	canon_t c = {.conf = conf};

	section(&c, &conf_root_section, conf);
	if (c.oom) {
		free(c.text);
		return NULL;
	}
	return c.text;
}
