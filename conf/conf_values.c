/* SPDX-License-Identifier: MIT */
/* conf_values.c -- parsers for single option values: text, numbers, addresses, lists */
#include "config.h"
#include "conf/conf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dns_wire.h"

#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))

/* A scalar that is not null, or an error naming what was expected. */
static const char *scalar(conf_ctx_t *ctx, const conf_node_t *node, const char *path,
			  const char *expected)
{
	if (node->kind != CONF_NODE_SCALAR) {
		conf_error(ctx, node, path, "expected %s, got %s", expected,
			   conf_node_kind_name(node));
		return NULL;
	}
	if (conf_node_is_null(node)) {
		conf_error(ctx, node, path, "expected %s, got nothing", expected);
		return NULL;
	}
	return node->value;
}

char *conf_strdup(conf_ctx_t *ctx, const char *text)
{
	char *copy = strdup(text);
	if (copy == NULL)
		ctx->oom = true;
	return copy;
}

static char *path_resolve(conf_ctx_t *ctx, const char *text)
{
	if (text[0] == '/')
		return conf_strdup(ctx, text);
	size_t len = strlen(ctx->dir) + strlen(text) + 2;
	char *full = malloc(len);
	if (full == NULL) {
		ctx->oom = true;
		return NULL;
	}
	snprintf(full, len, "%s/%s", ctx->dir, text);
	return full;
}

static const char *key_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* The entries of a value that may be one scalar or a list of them. */
static const conf_node_t *const *entries(const conf_node_t *const *self, const conf_node_t *node,
					 size_t *count)
{
	if (node->kind == CONF_NODE_SEQ) {
		*count = node->count;
		return (const conf_node_t *const *)node->items;
	}
	*count = 1;
	return self;
}

static int list_count_check(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			    const char *path, size_t count)
{
	if ((int64_t)count < opt->min) {
		conf_error(ctx, node, path, "needs at least %lld entr%s", (long long)opt->min,
			   opt->min == 1 ? "y" : "ies");
		return -1;
	}
	if (opt->max > 0 && (int64_t)count > opt->max) {
		conf_error(ctx, node, path, "takes at most %lld entries", (long long)opt->max);
		return -1;
	}
	return 0;
}

/* The array behind a list option: length checked against opt, count elements of size,
 * at least one so an empty list is not NULL. The caller stores it and count in base.
 * NULL, with the error or ctx->oom set, on failure. */
static void *list_alloc(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			const char *path, size_t count, size_t size)
{
	void *list;

	if (list_count_check(ctx, opt, node, path, count) < 0)
		return NULL;
	list = calloc(count ? count : 1, size);
	if (list == NULL)
		ctx->oom = true;
	return list;
}

static int parse_uintish(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			 const char *path, void *base)
{
	bool duration = opt->type == CONF_T_DURATION;
	const char *text = scalar(
	    ctx, node, path, duration ? "a duration like 500ms, 1s, 2m" : "an unsigned integer");
	if (text == NULL)
		return -1;
	uint64_t v;
	if (duration ? conf_duration_parse(text, &v) < 0 : conf_uint_parse(text, &v) < 0) {
		if (duration)
			conf_error(ctx, node, path,
				   "invalid duration \"%s\" (expected a number with a unit: "
				   "ms, s, m, h or d)",
				   text);
		else
			conf_error(ctx, node, path, "expected an unsigned integer, got \"%s\"",
				   text);
		return -1;
	}
	if ((int64_t)v < opt->min || (int64_t)v > opt->max || v > UINT32_MAX) {
		if (duration) {
			char lo[32], hi[32];
			conf_duration_format((uint64_t)opt->min, lo, sizeof(lo));
			conf_duration_format((uint64_t)opt->max, hi, sizeof(hi));
			conf_error(ctx, node, path, "%s %s is out of range %s..%s", key_name(path),
				   text, lo, hi);
		} else {
			conf_error(ctx, node, path, "%s %s is out of range %lld..%lld",
				   key_name(path), text, (long long)opt->min, (long long)opt->max);
		}
		return -1;
	}
	*FIELD(base, opt->offset, uint32_t) = (uint32_t)v;
	return 0;
}

static int parse_sockaddrs(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			   const char *path, void *base)
{
	const conf_node_t *self[1] = {node};
	size_t count;
	const conf_node_t *const *items = entries(self, node, &count);
	bool one = opt->type == CONF_T_SOCKADDR;
	conf_sockaddr_t *list = one ? FIELD(base, opt->offset, conf_sockaddr_t)
				    : list_alloc(ctx, opt, node, path, count, sizeof(*list));
	if (list == NULL)
		return -1;
	if (one)
		count = 1;
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		const conf_node_t *item = one ? node : items[i];
		const char *text = scalar(ctx, item, path, "an address");
		if (text == NULL) {
			rc = -1;
			continue;
		}
		if (conf_sockaddr_parse_port0(text, opt->port, (opt->flags & CONF_F_PORT0) != 0,
					      &list[i]) < 0) {
			if (opt->port == 0 && !conf_sockaddr_has_port(text))
				conf_error(
				    ctx, item, path,
				    "invalid address \"%s\" (expected IP:PORT or [IPv6]:PORT)",
				    text);
			else
				conf_error(ctx, item, path,
					   "invalid address \"%s\" (expected IP, IP:PORT or "
					   "[IPv6]:PORT)",
					   text);
			rc = -1;
		}
	}
	if (!one) {
		*FIELD(base, opt->offset, conf_sockaddr_t *) = list;
		*FIELD(base, opt->aux, size_t) = count;
	}
	return rc;
}

static int parse_ipaddrs(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			 const char *path, void *base)
{
	const conf_node_t *self[1] = {node};
	size_t count;
	const conf_node_t *const *items = entries(self, node, &count);
	conf_ipaddr_t *list = list_alloc(ctx, opt, node, path, count, sizeof(*list));
	if (list == NULL)
		return -1;
	*FIELD(base, opt->offset, conf_ipaddr_t *) = list;
	*FIELD(base, opt->aux, size_t) = count;
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		const char *text = scalar(ctx, items[i], path, "an IP address");
		if (text == NULL) {
			rc = -1;
		} else if (conf_ipaddr_parse(text, &list[i]) < 0) {
			conf_error(ctx, items[i], path, "invalid IP address \"%s\"", text);
			rc = -1;
		}
	}
	return rc;
}

/* "192.0.2.0/24" or "2001:db8::1": host bits must be zero (a typo would be silent). */
static int net_parse(const char *text, conf_net_t *out)
{
	char addr[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	if (len == 0 || len >= sizeof(addr))
		return -1;
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (conf_ipaddr_parse(addr, &out->addr) < 0)
		return -1;
	unsigned max = out->addr.family == AF_INET ? 32 : 128, prefix = max;
	if (slash != NULL) {
		char *end;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || v > max)
			return -1;
		prefix = (unsigned)v;
	}
	out->prefix = (uint8_t)prefix;
	for (unsigned bit = prefix; bit < max; bit++)
		if (out->addr.bytes[bit / 8] & (0x80u >> (bit % 8)))
			return -1;
	return 0;
}

static int parse_nets(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		      const char *path, void *base)
{
	const conf_node_t *self[1] = {node};
	size_t count;
	const conf_node_t *const *items = entries(self, node, &count);
	conf_net_t *list = list_alloc(ctx, opt, node, path, count, sizeof(*list));
	if (list == NULL)
		return -1;
	*FIELD(base, opt->offset, conf_net_t *) = list;
	*FIELD(base, opt->aux, size_t) = count;
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		const char *text = scalar(ctx, items[i], path, "a CIDR prefix");
		if (text == NULL) {
			rc = -1;
		} else if (net_parse(text, &list[i]) < 0) {
			conf_error(ctx, items[i], path,
				   "invalid CIDR prefix \"%s\" (ADDRESS/BITS, host bits zero)", text);
			rc = -1;
		}
	}
	return rc;
}

static int parse_coords(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			const char *path, void *base)
{
	static const char *const what[2] = {"latitude", "longitude"};
	static const double limit[2] = {90, 180};
	if (node->kind != CONF_NODE_SEQ || node->count != 2) {
		conf_error(ctx, node, path, "expected [latitude, longitude], got %s",
			   node->kind == CONF_NODE_SEQ ? "a list of another length"
						       : conf_node_kind_name(node));
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < 2; i++) {
		const conf_node_t *item = node->items[i];
		const char *text = scalar(ctx, item, path, "a number");
		double v;
		if (text == NULL) {
			rc = -1;
		} else if (conf_double_parse(text, &v) < 0) {
			conf_error(ctx, item, path, "%s \"%s\" is not a number", what[i], text);
			rc = -1;
		} else if (v < -limit[i] || v > limit[i]) {
			conf_error(ctx, item, path, "%s %s is out of range %g..%g", what[i], text,
				   -limit[i], limit[i]);
			rc = -1;
		} else {
			*FIELD(base, i == 0 ? opt->offset : opt->aux, double) = v;
		}
	}
	return rc;
}

static int parse_dc_list(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			 const char *path, void *base)
{
	const conf_node_t *self[1] = {node};
	size_t count;
	const conf_node_t *const *items = entries(self, node, &count);
	size_t *slots = list_alloc(ctx, opt, node, path, count, sizeof(*slots));
	if (slots == NULL)
		return -1;
	*FIELD(base, opt->offset, size_t *) = slots;
	*FIELD(base, opt->aux, size_t) = count;
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		if (scalar(ctx, items[i], path, "a datacenter name") == NULL)
			rc = -1;
		else if (conf_ref_add(ctx, items[i], path, &slots[i]) < 0)
			return -1;
	}
	return rc;
}

/* Largest weight a split takes (`weights: {dc: N}`): room for per-million shares. */
#define CONF_WEIGHT_MAX 1000000

/* weights: a mapping of datacenter name to weight 0..1000000, at least one above 0. */
static int parse_dc_weights(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			    const char *path, void *base)
{
	if (node->kind != CONF_NODE_MAP || node->count == 0) {
		conf_error(ctx, node, path,
			   "expected a mapping of datacenter: weight like {us-east: 90, "
			   "eu-west: 10}, got %s",
			   node->kind == CONF_NODE_MAP ? "an empty mapping" : conf_node_kind_name(node));
		return -1;
	}
	conf_dc_weight_t *w = calloc(node->count, sizeof(*w));
	if (w == NULL) {
		ctx->oom = true;
		return -1;
	}
	*FIELD(base, opt->offset, conf_dc_weight_t *) = w;
	size_t *count = FIELD(base, opt->aux, size_t);
	const conf_option_t weight_opt = {.type = CONF_T_UINT,
					  .min = 0,
					  .max = CONF_WEIGHT_MAX,
					  .offset = offsetof(conf_dc_weight_t, weight)};
	char sub[CONF_PATH_MAX];
	uint64_t total = 0;
	int rc = 0;
	for (size_t i = 0; i < node->count; i++) {
		const conf_node_t *key = node->items[2 * i];
		if (key->skip)
			continue;
		conf_path_join(sub, sizeof(sub), path, key->value, 0);
		conf_dc_weight_t *e = &w[*count];
		if (conf_ref_add(ctx, key, sub, &e->dc) < 0)
			return -1;
		++*count;
		if (parse_uintish(ctx, &weight_opt, node->items[2 * i + 1], sub, e) < 0)
			rc = -1;
		total += e->weight;
	}
	if (rc == 0 && total == 0) {
		conf_error(ctx, node, path, "every weight is 0: nothing would answer");
		rc = -1;
	}
	return rc;
}

static int parse_expect(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			const char *path, void *base)
{
	const conf_node_t *self[1] = {node};
	size_t count;
	const conf_node_t *const *items = entries(self, node, &count);
	if (list_count_check(ctx, opt, node, path, count) < 0)
		return -1;
	conf_status_range_t *ranges = FIELD(base, opt->offset, conf_status_range_t);
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		const char *text = scalar(ctx, items[i], path, "a status code or range");
		if (text == NULL) {
			rc = -1;
		} else if (conf_status_range_parse(text, &ranges[i]) < 0) {
			conf_error(ctx, items[i], path,
				   "invalid status \"%s\" (expected a code 100..599 or a range "
				   "like 200-299)",
				   text);
			rc = -1;
		}
	}
	*FIELD(base, opt->aux, size_t) = count;
	return rc;
}

static int parse_argv(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		      const char *path, void *base)
{
	char **argv = NULL;
	size_t n = 0;
	if (node->kind == CONF_NODE_SEQ) {
		argv = calloc(node->count + 1, sizeof(*argv));
		if (argv == NULL)
			goto oom;
		for (size_t i = 0; i < node->count; i++) {
			const char *text = scalar(ctx, node->items[i], path, "a string");
			if (text == NULL)
				continue;
			if ((argv[n++] = strdup(text)) == NULL)
				goto oom;
		}
	} else {
		const char *text = scalar(ctx, node, path, "a command");
		if (text == NULL)
			return -1;
		argv = calloc(strlen(text) / 2 + 2, sizeof(*argv));
		if (argv == NULL)
			goto oom;
		for (const char *p = text; *p != '\0';) {
			size_t skip = strspn(p, " \t"), len;
			p += skip;
			if ((len = strcspn(p, " \t")) == 0)
				break;
			if ((argv[n++] = strndup(p, len)) == NULL)
				goto oom;
			p += len;
		}
	}
	*FIELD(base, opt->offset, char **) = argv;
	if (n == 0) {
		conf_error(ctx, node, path, "the command is empty");
		return -1;
	}
	return 0;
oom:
	*FIELD(base, opt->offset, char **) = argv;
	ctx->oom = true;
	return -1;
}

static int parse_text(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		      const char *path, void *base)
{
	const char *text = scalar(ctx, node, path,
				  opt->type == CONF_T_PATH  ? "a path"
				  : opt->type == CONF_T_URL ? "a URL"
							    : "a string");
	if (text == NULL)
		return -1;
	char *value = NULL;
	const char *why = NULL;
	switch (opt->type) {
	case CONF_T_PATH:
		value = path_resolve(ctx, text);
		break;
	case CONF_T_DNAME:
		value = conf_dname_normalize(text, &why);
		if (value == NULL) {
			conf_error(ctx, node, path, "invalid domain name \"%s\": %s", text, why);
			return -1;
		}
		break;
	case CONF_T_ID:
		/* ids go into SQL rows, URLs and log lines: keep them plain */
		if (strlen(text) > 63 ||
		    strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(text)) {
			conf_error(ctx, node, path,
				   "invalid name \"%s\" (use at most 63 of a-z, 0-9, '-' and '_')",
				   text);
			return -1;
		}
		value = conf_strdup(ctx, text);
		break;
	case CONF_T_URL:
		if (strncmp(text, "http://", 7) != 0 && strncmp(text, "https://", 8) != 0) {
			conf_error(ctx, node, path,
				   "invalid URL \"%s\" (expected http://... or https://...)", text);
			return -1;
		}
		value = conf_strdup(ctx, text);
		break;
	case CONF_T_ENUM: {
		size_t len = strlen(text);
		const char *p = opt->choices;
		bool ok = false;
		while (*p != '\0' && !ok) {
			size_t wl = strcspn(p, " ");
			ok = wl == len && strncmp(p, text, len) == 0;
			p += wl + (p[wl] == ' ');
		}
		if (!ok) {
			conf_error(ctx, node, path, "invalid value \"%s\" (expected one of: %s)",
				   text, opt->choices);
			return -1;
		}
		value = conf_strdup(ctx, text);
		break;
	}
	default:
		value = conf_strdup(ctx, text);
		break;
	}
	if (value == NULL)
		return -1;
	*FIELD(base, opt->offset, char *) = value;
	return 0;
}

static int parse_word(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		      const char *path, void *base)
{
	const char *text = scalar(ctx, node, path, "a value");
	if (text == NULL)
		return -1;
	switch (opt->type) {
	case CONF_T_BOOL:
		if (conf_bool_parse(text, FIELD(base, opt->offset, bool)) == 0)
			return 0;
		conf_error(ctx, node, path, "expected true or false, got \"%s\"", text);
		return -1;
	case CONF_T_RRTYPE:
		if (dns_type_parse(text, FIELD(base, opt->offset, uint16_t)) == 0)
			return 0;
		conf_error(ctx, node, path, "unknown record type \"%s\"", text);
		return -1;
	case CONF_T_RCODE:
		if (dns_rcode_parse(text, FIELD(base, opt->offset, int)) == 0)
			return 0;
		conf_error(ctx, node, path,
			   "unknown rcode \"%s\" (expected NOERROR, SERVFAIL, "
			   "NXDOMAIN, REFUSED, ... or 0..15)",
			   text);
		return -1;
	case CONF_T_CHECK_TYPE: {
		static const char *const names[] = {"http", "https", "tcp", "dns", "exec"};
		for (size_t i = 0; i < M_ARRAY_LEN(names); i++)
			if (strcmp(text, names[i]) == 0) {
				*FIELD(base, opt->offset, conf_check_type_t) = (conf_check_type_t)i;
				return 0;
			}
		conf_error(ctx, node, path,
			   "unknown check type \"%s\" (expected http, https, tcp, dns or exec)",
			   text);
		/* finish hooks skip a check whose type was not read */
		return -1;
	}
	case CONF_T_CHECK_RULE: {
		conf_check_rule_t *rule = FIELD(base, opt->offset, conf_check_rule_t);
		uint32_t *percent = FIELD(base, opt->aux, uint32_t);
		size_t len = strlen(text);
		uint64_t v;
		char digits[8];
		if (strcmp(text, "all") == 0) {
			*rule = CONF_CHECK_RULE_ALL;
			return 0;
		}
		if (strcmp(text, "any") == 0) {
			*rule = CONF_CHECK_RULE_ANY;
			return 0;
		}
		if (len >= 2 && len < sizeof(digits) && text[len - 1] == '%') {
			memcpy(digits, text, len - 1);
			digits[len - 1] = '\0';
			if (conf_uint_parse(digits, &v) == 0 && v >= 1 && v <= 100) {
				*rule = CONF_CHECK_RULE_PERCENT;
				*percent = (uint32_t)v;
				return 0;
			}
		}
		conf_error(ctx, node, path,
			   "invalid check rule \"%s\" (expected all, any or a percentage "
			   "like \"50%%\")",
			   text);
		return -1;
	}
	default:
		return -1;
	}
}

int conf_value_parse(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		     const char *path, void *base)
{
	switch (opt->type) {
	case CONF_T_STRING:
	case CONF_T_ID:
	case CONF_T_PATH:
	case CONF_T_ENUM:
	case CONF_T_DNAME:
	case CONF_T_URL:
		return parse_text(ctx, opt, node, path, base);
	case CONF_T_BOOL:
	case CONF_T_RRTYPE:
	case CONF_T_RCODE:
	case CONF_T_CHECK_TYPE:
	case CONF_T_CHECK_RULE:
		return parse_word(ctx, opt, node, path, base);
	case CONF_T_UINT:
	case CONF_T_DURATION:
		return parse_uintish(ctx, opt, node, path, base);
	case CONF_T_SOCKADDR:
	case CONF_T_SOCKADDRS:
		return parse_sockaddrs(ctx, opt, node, path, base);
	case CONF_T_IPADDRS:
		return parse_ipaddrs(ctx, opt, node, path, base);
	case CONF_T_NETS:
		return parse_nets(ctx, opt, node, path, base);
	case CONF_T_COORDS:
		return parse_coords(ctx, opt, node, path, base);
	case CONF_T_DC_LIST:
		return parse_dc_list(ctx, opt, node, path, base);
	case CONF_T_EXPECT:
		return parse_expect(ctx, opt, node, path, base);
	case CONF_T_DC_WEIGHTS:
		return parse_dc_weights(ctx, opt, node, path, base);
	case CONF_T_ARGV:
		return parse_argv(ctx, opt, node, path, base);
	default:
		return -1; /* containers are walked by conf_walk.c */
	}
}
