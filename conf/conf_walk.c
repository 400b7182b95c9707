/* SPDX-License-Identifier: MIT */
/* conf_walk.c -- applies the option table to the YAML tree: sections, lists, named maps */
#include "config.h"
#include "conf/conf_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))

void conf_path_join(char *out, size_t size, const char *prefix, const char *key, size_t index)
{
	if (key == NULL)
		snprintf(out, size, "%s[%zu]", prefix, index);
	else if (strchr(key, '.') != NULL || strchr(key, ' ') != NULL || key[0] == '\0')
		/* quoted so "records.www.example.com.ttl" cannot be misread */
		snprintf(out, size, "%s%s\"%s\"", prefix, prefix[0] ? "." : "", key);
	else
		snprintf(out, size, "%s%s%s", prefix, prefix[0] ? "." : "", key);
}

conf_given_t conf_given(const conf_section_t *sec, const conf_given_t *given, const char *key)
{
	for (size_t i = 0; i < sec->option_count; i++)
		if (strcmp(sec->options[i].key, key) == 0)
			return given[i];
	return CONF_ABSENT;
}

/* Elements of a MAP, LIST or ONE container: allocated once with their final count, so
 * pointers into them (datacenter references) stay valid. */
static int parse_container(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			   const char *path, void *base)
{
	const conf_section_t *sec = opt->child;
	void **array = FIELD(base, opt->offset, void *);
	size_t *count = FIELD(base, opt->aux, size_t);
	if (conf_node_is_null(node))
		return 0;
	conf_node_kind_t want = opt->type == CONF_T_LIST ? CONF_NODE_SEQ : CONF_NODE_MAP;
	if (node->kind != want) {
		conf_error(ctx, node, path, "expected %s, got %s",
			   want == CONF_NODE_SEQ ? "a list" : "a mapping",
			   conf_node_kind_name(node));
		return -1;
	}
	if (*array != NULL) {
		conf_error(ctx, node, path, "give either check or checks, not both");
		return -1;
	}
	size_t n = opt->type == CONF_T_ONE ? 1 : node->count;
	char *elems = calloc(n ? n : 1, sec->elem_size);
	conf_pos_t *pos = calloc(n ? n : 1, sizeof(*pos));
	if (elems == NULL || pos == NULL) {
		free(elems);
		free(pos);
		ctx->oom = true;
		return -1;
	}
	*array = elems;
	/* positions of datacenters and records are kept for the cross checks */
	conf_t *conf = ctx->conf;
	if (array == (void **)&conf->datacenters)
		ctx->dc_pos = pos;
	else if (array == (void **)&conf->records)
		ctx->record_pos = pos;
	else
		free(pos), pos = NULL;
	int rc = 0;
	char sub[CONF_PATH_MAX];
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		const conf_node_t *value = node;
		char *elem = elems + used * sec->elem_size;
		if (opt->type == CONF_T_LIST) {
			value = node->items[i];
			conf_path_join(sub, sizeof(sub), path, NULL, i);
		} else if (opt->type == CONF_T_MAP) {
			const conf_node_t *key = node->items[2 * i];
			if (key->skip)
				continue;
			value = node->items[2 * i + 1];
			conf_path_join(sub, sizeof(sub), path, key->value, 0);
			conf_option_t name_opt = {
			    .key = "name", .type = sec->name_type, .offset = sec->name_offset};
			if (conf_value_parse(ctx, &name_opt, key, sub, elem) < 0) {
				rc = -1;
				continue;
			}
			if (pos != NULL)
				pos[used] = (conf_pos_t){key->line, key->col, key->value};
		} else {
			snprintf(sub, sizeof(sub), "%s", path);
		}
		used++;
		*count = used;
		if (value->kind != CONF_NODE_MAP && !conf_node_is_null(value)) {
			conf_error(ctx, value, sub, "expected a mapping, got %s",
				   conf_node_kind_name(value));
			rc = -1;
			continue;
		}
		if (conf_section_parse(ctx, sec, value, sub, elem) < 0)
			rc = -1;
	}
	return rc;
}

static int parse_peers(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		       const char *path, void *base)
{
	if (node->kind != CONF_NODE_MAP) {
		conf_error(ctx, node, path, "expected a mapping of region: URL, got %s",
			   conf_node_kind_name(node));
		return -1;
	}
	conf_peer_t *peers = calloc(node->count ? node->count : 1, sizeof(*peers));
	if (peers == NULL) {
		ctx->oom = true;
		return -1;
	}
	*FIELD(base, opt->offset, conf_peer_t *) = peers;
	size_t *count = FIELD(base, opt->aux, size_t);
	int rc = 0;
	char sub[CONF_PATH_MAX];
	conf_option_t url_opt = {.type = CONF_T_URL, .offset = offsetof(conf_peer_t, url)};
	conf_option_t region_opt = {.type = CONF_T_ID, .offset = offsetof(conf_peer_t, region)};
	for (size_t i = 0; i < node->count; i++) {
		const conf_node_t *key = node->items[2 * i];
		if (key->skip)
			continue;
		conf_path_join(sub, sizeof(sub), path, key->value, 0);
		conf_peer_t *peer = &peers[*count];
		if (conf_value_parse(ctx, &region_opt, key, sub, peer) < 0) {
			rc = -1;
			continue;
		}
		++*count;
		if (conf_value_parse(ctx, &url_opt, node->items[2 * i + 1], sub, peer) < 0)
			rc = -1;
	}
	return rc;
}

/* A map or nets entry that splits its clients: {weights: {dc: N, ...}} with an optional
 * datacenters list (the order the entry's clients fall back in when every weighted
 * datacenter is down; default: the weighted ones in the order written). */
static int parse_geo_split(conf_ctx_t *ctx, const conf_node_t *map, const char *path,
			   conf_geo_rule_t *rule)
{
	const conf_option_t weights_opt = {.type = CONF_T_DC_WEIGHTS,
					   .offset = offsetof(conf_geo_rule_t, weights),
					   .aux = offsetof(conf_geo_rule_t, weight_count)};
	const conf_option_t list_opt = {.type = CONF_T_DC_LIST,
					.min = 1,
					.offset = offsetof(conf_geo_rule_t, datacenters),
					.aux = offsetof(conf_geo_rule_t, count)};
	const conf_node_t *weights = NULL, *list = NULL;
	char sub[CONF_PATH_MAX];
	int rc = 0;

	for (size_t i = 0; i < map->count; i++) {
		const conf_node_t *key = map->items[2 * i];
		if (key->skip)
			continue;
		if (strcmp(key->value, "weights") == 0)
			weights = map->items[2 * i + 1];
		else if (strcmp(key->value, "datacenters") == 0)
			list = map->items[2 * i + 1];
	}
	if (weights == NULL) {
		conf_error(ctx, map, path,
			   "expected a datacenter list, or {weights: {DC: N, ...}} to split the "
			   "entry's clients");
		return -1;
	}
	for (size_t i = 0; i < map->count; i++) {
		const conf_node_t *key = map->items[2 * i];
		if (key->skip || strcmp(key->value, "weights") == 0 ||
		    strcmp(key->value, "datacenters") == 0)
			continue;
		conf_path_join(sub, sizeof(sub), path, key->value, 0);
		conf_error(ctx, key, sub, "unknown key (expected weights or datacenters)");
		rc = -1;
	}
	conf_path_join(sub, sizeof(sub), path, "weights", 0);
	if (conf_value_parse(ctx, &weights_opt, weights, sub, rule) < 0)
		return -1;
	if (list != NULL) {
		conf_path_join(sub, sizeof(sub), path, "datacenters", 0);
		return conf_value_parse(ctx, &list_opt, list, sub, rule) < 0 ? -1 : rc;
	}
	/* the list is the weighted datacenters as written: the same names, resolved
	 * like any other (one ref per key, under this entry's path) */
	rule->datacenters = calloc(rule->weight_count ? rule->weight_count : 1, sizeof(size_t));
	if (rule->datacenters == NULL) {
		ctx->oom = true;
		return -1;
	}
	for (size_t i = 0, k = 0; i < weights->count && k < rule->weight_count; i++) {
		const conf_node_t *key = weights->items[2 * i];
		if (key->skip)
			continue;
		if (conf_ref_add(ctx, key, path, &rule->datacenters[k++]) < 0)
			return -1;
		rule->count = k;
	}
	return rc;
}

static int parse_geo_rules(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
			   const char *path, void *base)
{
	if (node->kind != CONF_NODE_MAP) {
		conf_error(ctx, node, path, "expected a mapping of %s: [datacenter, ...], got %s",
			   opt->type == CONF_T_GEO_MAP ? "region" : "prefix",
			   conf_node_kind_name(node));
		return -1;
	}
	conf_geo_rule_t *rules = calloc(node->count ? node->count : 1, sizeof(*rules));
	if (rules == NULL) {
		ctx->oom = true;
		return -1;
	}
	*FIELD(base, opt->offset, conf_geo_rule_t *) = rules;
	size_t *count = FIELD(base, opt->aux, size_t);
	conf_option_t list_opt = {.type = CONF_T_DC_LIST,
				  .min = 1,
				  .offset = offsetof(conf_geo_rule_t, datacenters),
				  .aux = offsetof(conf_geo_rule_t, count)};
	int rc = 0;
	char sub[CONF_PATH_MAX];
	for (size_t i = 0; i < node->count; i++) {
		const conf_node_t *key = node->items[2 * i];
		if (key->skip)
			continue;
		conf_path_join(sub, sizeof(sub), path, key->value, 0);
		const char *why = NULL;
		conf_ipaddr_t addr;
		unsigned prefix;
		if (opt->type == CONF_T_GEO_MAP && conf_geo_key_check(key->value, &why) < 0) {
			conf_error(ctx, key, sub, "invalid location \"%s\": %s", key->value, why);
			rc = -1;
			continue;
		}
		if (opt->type == CONF_T_GEO_NETS &&
		    conf_cidr_parse(key->value, &addr, &prefix) < 0) {
			conf_error(ctx, key, sub,
				   "invalid network \"%s\" (expected a CIDR prefix like 10.0.0.0/8 "
				   "or 2001:db8::/32 with no host bits set)",
				   key->value);
			rc = -1;
			continue;
		}
		conf_geo_rule_t *rule = &rules[*count];
		if ((rule->key = conf_strdup(ctx, key->value)) == NULL)
			return -1;
		++*count;
		const conf_node_t *value = node->items[2 * i + 1];
		if (value->kind == CONF_NODE_MAP) {
			if (parse_geo_split(ctx, value, sub, rule) < 0)
				rc = -1;
		} else if (conf_value_parse(ctx, &list_opt, value, sub, rule) < 0) {
			rc = -1;
		}
	}
	return rc;
}
static int parse_value(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		       const char *path, void *base)
{
	switch (opt->type) {
	case CONF_T_SECTION:
		if (node->kind != CONF_NODE_MAP && !conf_node_is_null(node)) {
			conf_error(ctx, node, path, "expected a mapping, got %s",
				   conf_node_kind_name(node));
			return -1;
		}
		return conf_section_parse(ctx, opt->child, node, path, base);
	case CONF_T_MAP:
	case CONF_T_LIST:
	case CONF_T_ONE:
		return parse_container(ctx, opt, node, path, base);
	case CONF_T_PEERS:
		return parse_peers(ctx, opt, node, path, base);
	case CONF_T_GEO_MAP:
	case CONF_T_GEO_NETS:
		return parse_geo_rules(ctx, opt, node, path, base);
	default:
		return conf_value_parse(ctx, opt, node, path, base);
	}
}

/* What to say after an unknown key: the likely intended key, else every key taken. */
static void unknown_key_hint(const conf_section_t *sec, const char *key, char *out, size_t size)
{
	size_t best = SIZE_MAX, used = 0;
	const char *guess = NULL;
	for (size_t i = 0; i < sec->option_count; i++) {
		size_t dist = conf_edit_distance(key, sec->options[i].key);
		if (dist < best) {
			best = dist;
			guess = sec->options[i].key;
		}
	}
	if (guess != NULL && best <= 2 && best < strlen(key)) {
		snprintf(out, size, "did you mean \"%s\"?", guess);
		return;
	}
	used = (size_t)snprintf(out, size, "expected one of: ");
	for (size_t i = 0; i < sec->option_count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
					 sec->options[i].key);
}

/* True when YAML reads text as the plain scalar text itself: a word of letters, digits
 * and "-._" starting with a letter or digit has no indicator, quote, space or comment. */
static bool plain_word(const char *text)
{
	if (!isalnum((unsigned char)text[0]))
		return false;
	for (const char *p = text; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
			return false;
	return true;
}

static int apply_default(conf_ctx_t *ctx, const conf_option_t *opt, const char *path, void *base)
{
	if (plain_word(opt->def)) {
		/* most defaults ("1s", "true", "A"): the node the parser would build, without
		 * setting up a YAML parser per option and config (its buffers were a third of
		 * loading a small config) */
		const conf_node_t word = {.kind = CONF_NODE_SCALAR, .line = 1, .col = 1,
					  .value = (char *)opt->def, .plain = true};
		return parse_value(ctx, opt, &word, path, base);
	}
	conf_node_t *tree = conf_yaml_read_string(ctx, opt->def);
	if (tree == NULL)
		return -1;
	int rc = parse_value(ctx, opt, tree, path, base);
	conf_node_free(tree);
	return rc;
}

int conf_section_parse(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
		       const char *path, void *base)
{
	conf_given_t given[64] = {CONF_ABSENT};
	if (sec->option_count > M_ARRAY_LEN(given))
		abort(); /* the table outgrew this function: raise the bound */
	char sub[CONF_PATH_MAX];
	int rc = 0;
	if (map->kind == CONF_NODE_MAP) {
		for (size_t i = 0; i < map->count; i++) {
			const conf_node_t *key = map->items[2 * i];
			if (key->skip)
				continue;
			conf_path_join(sub, sizeof(sub), path, key->value, 0);
			size_t o;
			for (o = 0; o < sec->option_count; o++)
				if (strcmp(sec->options[o].key, key->value) == 0)
					break;
			if (o == sec->option_count) {
				char hint[512];
				unknown_key_hint(sec, key->value, hint, sizeof(hint));
				conf_error(ctx, key, path, "unknown key \"%s\" (%s)", key->value,
					   hint);
				rc = -1;
				continue;
			}
			const conf_option_t *opt = &sec->options[o];
			given[o] = CONF_GIVEN;
			if (opt->flags & CONF_F_PRESENT)
				*FIELD(base, opt->present_offset, bool) = true;
			if (parse_value(ctx, opt, map->items[2 * i + 1], sub, base) < 0) {
				given[o] = CONF_INVALID;
				rc = -1;
			}
		}
	}
	for (size_t o = 0; o < sec->option_count; o++) {
		const conf_option_t *opt = &sec->options[o];
		if (given[o])
			continue;
		conf_path_join(sub, sizeof(sub), path, opt->key, 0);
		if (opt->flags & CONF_F_REQUIRED) {
			conf_error(ctx, map, sub, "required key is missing");
			rc = -1;
		} else if (opt->type == CONF_T_SECTION) {
			/* an absent section still gets its defaults */
			conf_node_t empty = {
			    .kind = CONF_NODE_MAP, .line = map->line, .col = map->col};
			if (conf_section_parse(ctx, opt->child, &empty, sub, base) < 0)
				rc = -1;
		} else if (opt->def != NULL && apply_default(ctx, opt, sub, base) < 0) {
			rc = -1;
		}
	}
	if (sec->finish != NULL && sec->finish(ctx, sec, map, path, given, base) < 0)
		rc = -1;
	return rc;
}
