/* SPDX-License-Identifier: MIT */
/* conf_cross.c -- checks that need the whole config: names resolve, records sit in zones */
#include "config.h"
#include "conf/conf_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"

/* Position of a top-level key, for errors about a whole section. */
static const conf_node_t *root_key(const conf_node_t *root, const char *key)
{
	for (size_t i = 0; i < root->count; i++)
		if (!root->items[2 * i]->skip && strcmp(root->items[2 * i]->value, key) == 0)
			return root->items[2 * i];
	return root;
}

/* Resolves every datacenter name. The same datacenter twice in one list is a typo,
 * never a weighting; the refs of one list are contiguous and share their path. */
static void refs_resolve(conf_ctx_t *ctx)
{
	const conf_t *conf = ctx->conf;
	for (size_t i = 0; i < ctx->ref_count; i++) {
		const conf_ref_t *ref = &ctx->refs[i];
		int dc = conf_datacenter_find(conf, ref->name);
		if (dc < 0) {
			const char *guess = NULL;
			size_t best = 3; /* farther than two edits is not a typo */
			for (size_t d = 0; d < conf->datacenter_count; d++) {
				const char *name = conf->datacenters[d].name;
				size_t dist = name ? conf_edit_distance(ref->name, name) : SIZE_MAX;
				if (dist < best && dist < strlen(ref->name)) {
					best = dist;
					guess = name;
				}
			}
			if (guess != NULL)
				conf_error_at(ctx, ref->line, ref->col, ref->path,
					      "unknown datacenter \"%s\" (did you mean \"%s\"?)",
					      ref->name, guess);
			else
				conf_error_at(ctx, ref->line, ref->col, ref->path,
					      "unknown datacenter \"%s\" (not under datacenters)",
					      ref->name);
			continue;
		}
		*ref->slot = (size_t)dc;
		for (size_t j = i; j-- > 0 && strcmp(ctx->refs[j].path, ref->path) == 0;)
			if (strcmp(ctx->refs[j].name, ref->name) == 0) {
				conf_error_at(ctx, ref->line, ref->col, ref->path,
					      "datacenter \"%s\" is listed twice", ref->name);
				break;
			}
	}
}

static bool dc_listed(const size_t *list, size_t count, size_t dc)
{
	for (size_t i = 0; i < count; i++)
		if (list[i] == dc)
			return true;
	return false;
}

/* Every weighted datacenter must be one the split may answer with: a record's weights
 * name its candidates, an entry's weights the entry's datacenters. The error points at
 * the weight's key (its ref, found by the slot it filled). */
static void weights_check(conf_ctx_t *ctx, const conf_dc_weight_t *w, size_t count,
			  const size_t *allowed, size_t allowed_count, const char *what)
{
	if (count == 0)
		return;
	for (size_t i = 0; i < ctx->ref_count; i++) {
		const conf_ref_t *ref = &ctx->refs[i];
		const size_t *first = &w[0].dc, *last = &w[count - 1].dc;
		if (ref->slot < first || ref->slot > last)
			continue;
		if (conf_datacenter_find(ctx->conf, ref->name) < 0)
			continue; /* unknown: said already */
		if (!dc_listed(allowed, allowed_count, *ref->slot))
			conf_error_at(ctx, ref->line, ref->col, ref->path,
				      "datacenter \"%s\" is weighted but not one of %s", ref->name,
				      what);
	}
}

static void records_check(conf_ctx_t *ctx, const conf_node_t *root)
{
	const conf_t *conf = ctx->conf;
	char path[CONF_PATH_MAX];
	if (conf->record_count > 0 && conf->geoip_path == NULL) {
		const conf_node_t *key = root_key(root, "records");
		conf_error(ctx, key, "geoip", "required when records are configured");
	}
	for (size_t i = 0; i < conf->record_count; i++) {
		const conf_record_t *rec = &conf->records[i];
		const conf_pos_t *pos = &ctx->record_pos[i];
		if (rec->name == NULL)
			continue;
		conf_path_join(path, sizeof(path), "records", pos->key, 0);
		for (size_t j = 0; j < i; j++)
			if (conf->records[j].name != NULL &&
			    strcmp(conf->records[j].name, rec->name) == 0) {
				conf_error_at(ctx, pos->line, pos->col, path,
					      "duplicate record name %s (first at line %u)",
					      rec->name, ctx->record_pos[j].line);
				break;
			}
		bool inside = false;
		for (size_t z = 0; z < conf->dns.zone_count && !inside; z++)
			inside = conf->dns.zones[z].origin != NULL &&
				 conf_dname_is_below(rec->name, conf->dns.zones[z].origin);
		if (!inside)
			conf_error_at(ctx, pos->line, pos->col, path,
				      "%s is not inside any zone of dns.zones", rec->name);
		weights_check(ctx, rec->weights, rec->weight_count, rec->datacenters,
			      rec->datacenter_count, "the record's datacenters");
		for (size_t k = 0; k < rec->map_count; k++)
			weights_check(ctx, rec->map[k].weights, rec->map[k].weight_count,
				      rec->map[k].datacenters, rec->map[k].count,
				      "the entry's datacenters");
		for (size_t k = 0; k < rec->net_count; k++)
			weights_check(ctx, rec->nets[k].weights, rec->nets[k].weight_count,
				      rec->nets[k].datacenters, rec->nets[k].count,
				      "the entry's datacenters");
	}
}

static void zones_check(conf_ctx_t *ctx, const conf_node_t *root)
{
	const conf_t *conf = ctx->conf;
	const conf_node_t *dns = conf_node_get(root, "dns");
	const conf_node_t *zones = dns ? conf_node_get(dns, "zones") : NULL;
	for (size_t i = 0; i < conf->dns.zone_count; i++)
		for (size_t j = 0; j < i; j++) {
			const char *a = conf->dns.zones[i].origin, *b = conf->dns.zones[j].origin;
			if (a == NULL || b == NULL || strcmp(a, b) != 0)
				continue;
			/* the tree matches the array: zones were read from this very list */
			const conf_node_t *node = root;
			if (zones != NULL && zones->kind == CONF_NODE_SEQ && i < zones->count) {
				const conf_node_t *origin =
				    conf_node_get(zones->items[i], "origin");
				node = origin ? origin : zones->items[i];
			}
			char path[CONF_PATH_MAX];
			snprintf(path, sizeof(path), "dns.zones[%zu].origin", i);
			conf_error(ctx, node, path,
				   "zone %s is configured twice (also dns.zones[%zu])", a, j);
			break;
		}
}

/* A vote counts while this region heard it within stale_after, and its own checked time
 * is within stale_after + max_clock_skew (the backstop for a backlog replayed late; see
 * state_observation_fresh). A skew allowance above stale_after would let a vote up to
 * more than twice stale_after old count as fresh: refused where there are peers. */
static void skew_check(conf_ctx_t *ctx, const conf_node_t *root)
{
	const conf_t *conf = ctx->conf;
	const conf_node_t *repl = conf_node_get(root, "replication");
	const conf_node_t *node = repl ? conf_node_get(repl, "max_clock_skew") : NULL;
	char skew[32], stale[32];

	if ((conf->replication.peer_count == 0 && !conf->replication.has_listen) ||
	    conf->health.stale_after_ms == 0 ||
	    conf->replication.max_clock_skew_ms <= conf->health.stale_after_ms)
		return;
	conf_error(ctx, node ? node : (repl ? repl : root), "replication.max_clock_skew",
		   "%s is longer than health.stale_after (%s): the verdict would count votes up to"
		   " stale_after + max_clock_skew old; lower it or raise stale_after",
		   timefmt_duration(conf->replication.max_clock_skew_ms, skew, sizeof(skew)),
		   timefmt_duration(conf->health.stale_after_ms, stale, sizeof(stale)));
}

static bool address_same(const conf_ipaddr_t *a, const conf_ipaddr_t *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

/* The value of key in map (a mapping node, or NULL), else fallback: where errors point. */
static const conf_node_t *value_or(const conf_node_t *map, const char *key,
				   const conf_node_t *fallback)
{
	const conf_node_t *v =
	    map != NULL && map->kind == CONF_NODE_MAP ? conf_node_get(map, key) : NULL;
	return v != NULL ? v : fallback;
}

/* Each address check names one of its datacenter's addresses, at most once, and sets
 * its address_index; the masks that carry per-address state (state_verdict_t) hold 64
 * addresses. */
static void address_checks_check(conf_ctx_t *ctx, const conf_node_t *root)
{
	const conf_t *conf = ctx->conf;
	const conf_node_t *dcs = value_or(root, "datacenters", NULL);

	for (size_t i = 0; i < conf->datacenter_count; i++) {
		conf_datacenter_t *dc = &conf->datacenters[i];
		char list[CONF_PATH_MAX], sub[CONF_PATH_MAX];

		if (dc->address_check_count == 0 || dc->name == NULL)
			continue;
		const conf_node_t *node = value_or(dcs, dc->name, NULL);
		const conf_node_t *checks = value_or(node, "address_checks", root);
		snprintf(list, sizeof(list), "datacenters.%s.address_checks", dc->name);
		if (dc->address_count > 64) {
			conf_error(ctx, checks, list,
				   "a datacenter with address checks has at most 64 addresses (has %zu)",
				   dc->address_count);
			continue;
		}
		for (size_t c = 0; c < dc->address_check_count; c++) {
			conf_address_check_t *ac = &dc->address_checks[c];
			if (ac->address_text == NULL || ac->address.family == 0)
				continue; /* reported when the key was read */
			conf_path_join(sub, sizeof(sub), list, ac->address_text, 0);
			const conf_node_t *at = value_or(checks, ac->address_text, checks);
			size_t k = 0;
			while (k < dc->address_count && !address_same(&dc->addresses[k], &ac->address))
				k++;
			if (k == dc->address_count) {
				conf_error(ctx, at, sub, "%s is not one of the datacenter's addresses",
					   ac->address_text);
				continue;
			}
			ac->address_index = k;
			for (size_t j = 0; j < c; j++)
				if (dc->address_checks[j].address_index == k &&
				    dc->address_checks[j].address.family != 0)
					conf_error(ctx, at, sub, "%s has a check already (as %s)",
						   ac->address_text, dc->address_checks[j].address_text);
		}
	}
}

void conf_cross_check(conf_ctx_t *ctx, const conf_node_t *root)
{
	skew_check(ctx, root);
	refs_resolve(ctx);
	zones_check(ctx, root);
	records_check(ctx, root);
	address_checks_check(ctx, root);
}
