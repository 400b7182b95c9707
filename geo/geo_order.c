/* SPDX-License-Identifier: MIT */
/* geo_order.c -- one client's datacenter preference order from a record's rules */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "geo/geo_addr.h"
#include "geo/geo_distance.h"
#include "geo/geo_order.h"
#include "geo/geo_pick.h"

/* A map key split into its parts; parts that are absent are "". */
typedef struct {
	char part[3][8]; /* continent, country, subdivision */
	unsigned depth;	 /* parts present, 1..3 */
} map_key_t;

static int map_key_parse(const char *key, map_key_t *k)
{
	const char *p = key;

	memset(k, 0, sizeof(*k));
	for (;;) {
		size_t len = strcspn(p, "/");
		if (k->depth == 3 || len == 0 || len > 3)
			return -1;
		for (size_t i = 0; i < len; i++)
			if (!isalnum((unsigned char)p[i]))
				return -1;
		/* continents and countries are two letters; subdivisions 1..3 characters */
		if (k->depth < 2 && len != 2)
			return -1;
		memcpy(k->part[k->depth], p, len);
		k->depth++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/* Some map or nets entry of rules splits its clients by weight. */
static bool rules_split(const geo_rules_t *rules)
{
	for (size_t i = 0; i < rules->map_count; i++)
		if (rules->map[i].split > 0)
			return true;
	for (size_t i = 0; i < rules->net_count; i++)
		if (rules->nets[i].split > 0)
			return true;
	return false;
}

int geo_rules_check(const geo_rules_t *rules, size_t ndc, char *err, size_t errlen)
{
	if (rules->candidate_count == 0 || rules->candidate_count > 65535) {
		snprintf(err, errlen, "a geo record needs 1..65535 candidate datacenters");
		return -1;
	}
	for (size_t i = 0; i < rules->candidate_count; i++)
		if (rules->candidates[i] >= ndc) {
			snprintf(err, errlen, "candidate %zu: datacenter index %zu out of range", i,
				 rules->candidates[i]);
			return -1;
		}
	for (size_t i = 0; i < rules->map_count; i++) {
		map_key_t k;
		if (map_key_parse(rules->map[i].key, &k) < 0) {
			snprintf(
			    err, errlen,
			    "map key \"%s\": want CONTINENT[/COUNTRY[/SUBDIVISION]], e.g. EU/IE",
			    rules->map[i].key);
			return -1;
		}
		for (size_t j = 0; j < rules->map[i].count; j++)
			if (rules->map[i].dcs[j] >= ndc) {
				snprintf(err, errlen,
					 "map key \"%s\": datacenter index %zu out of range",
					 rules->map[i].key, rules->map[i].dcs[j]);
				return -1;
			}
	}
	for (size_t i = 0; i < rules->net_count; i++) {
		const geo_net_rule_t *n = &rules->nets[i];
		unsigned max = n->family == AF_INET ? 32 : 128;
		if ((n->family != AF_INET && n->family != AF_INET6) || n->prefix > max) {
			snprintf(err, errlen, "nets rule %zu: bad family or prefix length", i);
			return -1;
		}
		for (size_t j = 0; j < n->count; j++)
			if (n->dcs[j] >= ndc) {
				snprintf(err, errlen,
					 "nets rule %zu: datacenter index %zu out of range", i,
					 n->dcs[j]);
				return -1;
			}
	}
	for (size_t i = 0; i < rules->default_count; i++)
		if (rules->default_order[i] >= ndc) {
			snprintf(err, errlen, "default order: datacenter index %zu out of range",
				 rules->default_order[i]);
			return -1;
		}
	/* a split's mark sits above every datacenter index */
	if (ndc >= GEO_PICK_SPLIT_MARK && rules_split(rules)) {
		snprintf(err, errlen, "weighted entries need fewer than %u datacenters",
			 GEO_PICK_SPLIT_MARK);
		return -1;
	}
	return 0;
}

size_t geo_order_max(const geo_rules_t *rules)
{
	size_t longest = 0;

	for (size_t i = 0; i < rules->map_count; i++)
		if (rules->map[i].count > longest)
			longest = rules->map[i].count;
	for (size_t i = 0; i < rules->net_count; i++)
		if (rules->nets[i].count > longest)
			longest = rules->nets[i].count;
	return rules->candidate_count + longest + (rules_split(rules) ? 1 : 0); /* the mark */
}

const geo_map_rule_t *geo_map_match(const geo_rules_t *rules, const geo_loc_t *loc)
{
	const char *have[3] = {loc->continent, loc->country, loc->subdivision};
	const geo_map_rule_t *best = NULL;
	unsigned best_depth = 0;

	for (size_t i = 0; i < rules->map_count; i++) {
		map_key_t k;
		unsigned d;
		if (map_key_parse(rules->map[i].key, &k) < 0 || k.depth <= best_depth)
			continue;
		for (d = 0; d < k.depth && d < M_ARRAY_LEN(have); d++)
			if (have[d][0] == '\0' || strcasecmp(have[d], k.part[d]) != 0)
				break;
		if (d == k.depth) {
			best = &rules->map[i];
			best_depth = k.depth;
		}
	}
	return best;
}

static bool net_contains(const geo_net_rule_t *n, int family, const uint8_t *addr)
{
	return n->family == family && geo_addr_common_bits(addr, n->addr, n->prefix) == n->prefix;
}

const geo_net_rule_t *geo_nets_match_from(const geo_rules_t *rules, int family, const uint8_t *addr,
					  unsigned min_prefix)
{
	const geo_net_rule_t *best = NULL;

	for (size_t i = 0; i < rules->net_count; i++) {
		const geo_net_rule_t *n = &rules->nets[i];
		if (n->prefix >= min_prefix && (!best || n->prefix > best->prefix) &&
		    net_contains(n, family, addr))
			best = n;
	}
	return best;
}

const geo_net_rule_t *geo_nets_match(const geo_rules_t *rules, int family, const uint8_t *addr)
{
	return geo_nets_match_from(rules, family, addr, 0);
}

const geo_net_rule_t *geo_nets_deciding(const geo_rules_t *rules, int family, const uint8_t *addr)
{
	if (family == AF_INET)
		return geo_nets_match(rules, AF_INET, addr);
	geo_form_t form = geo_addr_form(addr);
	if (form != GEO_FORM_NATIVE) {
		const geo_net_rule_t *n =
		    geo_nets_match_from(rules, AF_INET6, addr, geo_forms[form].prefix_len);
		if (n)
			return n;
		uint8_t v4[4];
		geo_addr_embedded_v4(form, addr, v4);
		return geo_nets_match(rules, AF_INET, v4);
	}
	if (geo_addr_is_unspecified_or_loopback(addr))
		return geo_nets_match_from(rules, AF_INET6, addr, 96);
	return geo_nets_match(rules, AF_INET6, addr);
}

static bool listed(const geo_choice_t *out, size_t n, size_t dc)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].dc == dc)
			return true;
	return false;
}

static double distance_to(const geo_dc_t *dc, const geo_loc_t *loc)
{
	if (!loc || !loc->has_location || !dc->has_location)
		return -1.0;
	return geo_distance_km(loc->latitude, loc->longitude, dc->latitude, dc->longitude);
}

static size_t add(geo_choice_t *out, size_t n, const geo_dc_t *dcs, size_t dc, geo_why_t why,
		  const geo_loc_t *loc, const char *rule)
{
	if (listed(out, n, dc))
		return n;
	out[n] = (geo_choice_t){dc, why, distance_to(&dcs[dc], loc), rule};
	return n + 1;
}

/* Candidates with a location not listed yet, nearest first; equal distances keep
 * candidate order (the insertion sort is stable). */
static size_t add_by_distance(geo_choice_t *out, size_t n, const geo_dc_t *dcs,
			      const geo_rules_t *rules, const geo_loc_t *loc)
{
	size_t start = n;

	for (size_t i = 0; i < rules->candidate_count; i++) {
		size_t dc = rules->candidates[i];
		if (!dcs[dc].has_location || listed(out, n, dc))
			continue;
		geo_choice_t c = {dc, GEO_WHY_DISTANCE, distance_to(&dcs[dc], loc), NULL};
		size_t j = n++;
		while (j > start && out[j - 1].distance_km > c.distance_km) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = c;
	}
	return n;
}

size_t geo_order(const geo_dc_t *dcs, const geo_rules_t *rules, const geo_loc_t *loc,
		 const geo_net_rule_t *net, geo_choice_t *out)
{
	const geo_map_rule_t *map = NULL;
	size_t n = 0;

	if (net) {
		if (net->split > 0)
			out[n++] = (geo_choice_t){GEO_PICK_SPLIT_MARK + net->split, GEO_WHY_NETS, -1,
						  net->key};
		for (size_t i = 0; i < net->count; i++)
			n = add(out, n, dcs, net->dcs[i], GEO_WHY_NETS, loc, net->key);
	} else if (loc && (map = geo_map_match(rules, loc)) != NULL) {
		if (map->split > 0)
			out[n++] = (geo_choice_t){GEO_PICK_SPLIT_MARK + map->split, GEO_WHY_MAP, -1,
						  map->key};
		for (size_t i = 0; i < map->count; i++)
			n = add(out, n, dcs, map->dcs[i], GEO_WHY_MAP, loc, map->key);
	}
	/* A nets rule decides by address alone, so its remainder ignores the location too:
	 * the whole CIDR is then one leaf of the trie whatever the database says inside. */
	if (!net && loc && loc->has_location) {
		n = add_by_distance(out, n, dcs, rules, loc);
	} else {
		for (size_t i = 0; i < rules->default_count; i++) {
			size_t dc = rules->default_order[i];
			for (size_t j = 0; j < rules->candidate_count; j++)
				if (rules->candidates[j] == dc) {
					n = add(out, n, dcs, dc, GEO_WHY_DEFAULT, loc, NULL);
					break;
				}
		}
	}
	for (size_t i = 0; i < rules->candidate_count; i++)
		n = add(out, n, dcs, rules->candidates[i], GEO_WHY_CANDIDATE, loc, NULL);
	return n;
}

const char *geo_why_name(geo_why_t why)
{
	switch (why) {
	case GEO_WHY_NETS:
		return "nets";
	case GEO_WHY_MAP:
		return "map";
	case GEO_WHY_DISTANCE:
		return "distance";
	case GEO_WHY_DEFAULT:
		return "default";
	case GEO_WHY_CANDIDATE:
		return "candidate order";
	}
	return "?";
}
