/* SPDX-License-Identifier: MIT */
/* geo_order.h -- the rules of a geo record and the datacenter order they give a client */
#ifndef MERIDIAN_GEO_ORDER_H
#define MERIDIAN_GEO_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* A datacenter as geo sees it. The caller's array of these is what every index
 * below (candidates, rule lists, preference lists) points into. */
typedef struct {
	const char *name;  /* datacenter id, for messages */
	bool has_location; /* false: only map, nets or the default order can rank it first */
	double latitude;   /* degrees, -90..90 */
	double longitude;  /* degrees, -180..180 */
} geo_dc_t;

/* One `map` rule: clients whose record matches key prefer dcs, in that order. */
typedef struct {
	const char *key;   /* "EU", "EU/IE" or "NA/US/CA": continent[/country[/subdivision]] */
	const size_t *dcs; /* datacenter indexes, preference order */
	size_t count;	   /* >= 1 */
	unsigned split;	   /* 1..: the record's entry split the rule's clients take
			    * (geo_pick_record_t.entry_splits[split - 1]); 0: none */
} geo_map_rule_t;

/* One `nets` rule: clients inside addr/prefix prefer dcs; the most specific rule wins. */
typedef struct {
	const char *key;   /* as written ("10.0.0.0/8"), for explain; may be NULL */
	int family;	   /* AF_INET or AF_INET6 */
	uint8_t addr[16];  /* network order, bits beyond prefix zero (4 bytes used for IPv4) */
	unsigned prefix;   /* 0..32 or 0..128 */
	const size_t *dcs; /* datacenter indexes, preference order */
	size_t count;	   /* >= 1 */
	unsigned split;	   /* as geo_map_rule_t.split */
} geo_net_rule_t;

/* Everything that decides one geo record's preference lists. Two records with equal
 * rules share one compiled trie. */
typedef struct {
	const size_t *candidates;    /* datacenter indexes, in the record's order (tie-break) */
	size_t candidate_count;	     /* 1..65535 */
	const geo_map_rule_t *map;   /* may be NULL when map_count is 0 */
	size_t map_count;	     /* entries in map */
	const geo_net_rule_t *nets;  /* may be NULL when net_count is 0 */
	size_t net_count;	     /* entries in nets */
	const size_t *default_order; /* order for clients without a location; NULL/0: candidates */
	size_t default_count;	     /* entries in default_order */
} geo_rules_t;

/* A client's place as its database record tells it. Empty strings when absent. */
typedef struct {
	char continent[4];   /* continent code: AF AN AS EU NA OC SA */
	char country[4];     /* ISO 3166-1 alpha-2 */
	char subdivision[4]; /* ISO 3166-2 code of the first subdivision, without the country */
	bool has_location;   /* latitude/longitude are valid */
	double latitude;     /* degrees */
	double longitude;    /* degrees */
} geo_loc_t;

/* Why a datacenter holds its position in a preference list. */
typedef enum {
	GEO_WHY_NETS = 0,  /* listed by the most specific matching nets rule */
	GEO_WHY_MAP,	   /* listed by the most specific matching map rule */
	GEO_WHY_DISTANCE,  /* ranked by great-circle distance (ties: candidate order) */
	GEO_WHY_DEFAULT,   /* client has no location: configured default order */
	GEO_WHY_CANDIDATE, /* nothing else ranked it: candidate order */
} geo_why_t;

/* One position of a preference list, with its reason. */
typedef struct {
	size_t dc;	    /* datacenter index */
	geo_why_t why;	    /* reason for this position */
	double distance_km; /* client to datacenter, or -1 when either has no location */
	const char *rule;   /* key of the nets/map rule for NETS/MAP, else NULL */
} geo_choice_t;

/* Checks rules against ndc datacenters: candidates non-empty, every index < ndc, map
 * keys well formed, nets parsed. Returns 0, or -1 with the problem in err. */
int geo_rules_check(const geo_rules_t *rules, size_t ndc, char *err, size_t errlen)
    M_NONNULL(1, 3) M_WUR;

/* Longest list geo_order() can write for rules (candidates plus the longest rule list). */
size_t geo_order_max(const geo_rules_t *rules) M_NONNULL_ALL M_PURE;

/* The most specific map rule matching loc, or NULL. */
const geo_map_rule_t *geo_map_match(const geo_rules_t *rules, const geo_loc_t *loc) M_NONNULL_ALL;
/* The most specific nets rule containing addr (family's length), or NULL. */
const geo_net_rule_t *geo_nets_match(const geo_rules_t *rules, int family,
				     const uint8_t *addr) M_NONNULL_ALL;
/* The same among the rules of min_prefix bits or more. */
const geo_net_rule_t *geo_nets_match_from(const geo_rules_t *rules, int family, const uint8_t *addr,
					  unsigned min_prefix) M_NONNULL_ALL;
/* The nets rule that decides for client addr (4 or 16 bytes by family), with the
 * precedence the compiled trie has: for IPv4, the most specific IPv4 rule; for an IPv6
 * form carrying IPv4 (geo_addr.h), the most specific IPv6 rule at least as long as the
 * form's prefix, else the IPv4 rule of the carried address (enclosing shorter IPv6
 * rules do not apply: the client is IPv4); for :: and ::1 (inside ::/96), IPv6 rules of
 * /96 or longer; for any other IPv6 address, the most specific IPv6 rule. NULL: none. */
const geo_net_rule_t *geo_nets_deciding(const geo_rules_t *rules, int family,
					const uint8_t *addr) M_NONNULL_ALL;

/* The preference order of a client at loc (NULL: no record) that falls in nets rule net
 * (NULL: none): when the deciding rule splits its clients (split > 0), first a mark
 * GEO_PICK_SPLIT_MARK + split (geo_pick.h; not a datacenter: every reader of an order
 * skips entries past its datacenter count, and geo_pick() takes the split from it);
 * the rule's datacenters first (nets, else map), then the rest of the
 * candidates by distance, or by default order when the client has no location or a nets
 * rule matched (a nets rule decides by address alone), then any candidate still missing
 * in candidate order. Each datacenter appears once. out needs geo_order_max(rules) entries; returns
 * the count. */
size_t geo_order(const geo_dc_t *dcs, const geo_rules_t *rules, const geo_loc_t *loc,
		 const geo_net_rule_t *net, geo_choice_t *out) M_NONNULL(1, 2, 5);

/* "nets", "map", "distance", "default", "candidate order". */
const char *geo_why_name(geo_why_t why) M_CONST;

#endif
