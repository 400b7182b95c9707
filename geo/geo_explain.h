/* SPDX-License-Identifier: MIT */
/* geo_explain.h -- why a client gets its datacenter order (for `meridianctl explain`) */
#ifndef MERIDIAN_GEO_EXPLAIN_H
#define MERIDIAN_GEO_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "geo/geo_addr.h"
#include "geo/geo_db.h"
#include "geo/geo_order.h"
#include "geo/geo_trie.h"

/* The decision for one client of one record, step by step. Pointers point into the
 * rules passed to geo_explain(). */
typedef struct {
	int family;		   /* AF_INET or AF_INET6, as asked */
	uint8_t addr[16];	   /* as asked (4 bytes used for IPv4) */
	geo_form_t form;	   /* how an IPv6 address relates to IPv4 */
	uint8_t v4[4];		   /* the IPv4 address looked up, when form != NATIVE */
	geo_loc_t loc;		   /* the database's record (all empty if none) */
	unsigned netlen;	   /* prefix length of the database network, query family */
	const geo_net_rule_t *net; /* the nets rule that decided, or NULL */
	const geo_map_rule_t *map; /* the map rule that decided (only without net), or NULL */
	geo_choice_t *choices;	   /* the preference order with reasons (caller's array) */
	size_t count;		   /* entries in choices */
	bool has_scope;		   /* a trie was given: scope and agrees are set */
	unsigned scope;		   /* ECS scope the trie answers with for a full-length source */
	bool agrees;		   /* the trie's list equals choices (it always should) */
} geo_explain_t;

/* Explains addr (4 or 16 bytes by family) for rules over db. choices needs
 * geo_order_max(rules) entries. trie, when not NULL, is the record's compiled trie, looked
 * up too (full-length source prefix) to report the scope and cross-check the order.
 * Returns 0, or -1 for a bad family. */
int geo_explain(const geo_db_t *db, const geo_dc_t *dcs, const geo_rules_t *rules,
		const geo_trie_t *trie, int family, const uint8_t *addr, geo_choice_t *choices,
		geo_explain_t *ex) M_NONNULL(1, 2, 3, 6, 7, 8) M_WUR;

/* Writes ex as text, one "key: value" or numbered candidate per line:
 *   client: ::ffff:81.2.69.1 (ipv4-mapped, looked up as 81.2.69.1)
 *   location: EU/GB/ENG 51.5142,-0.0931 (database network /121)
 *   rule: map "EU/GB"
 *   1. eu-west 465 km (map EU/GB)
 *   2. us-east 5924 km (distance)
 *   scope: /120
 * Returns the length written (truncated to len - 1 like snprintf). */
size_t geo_explain_format(const geo_explain_t *ex, const geo_dc_t *dcs, char *buf,
			  size_t len) M_NONNULL_ALL;

#endif
