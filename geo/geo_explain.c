/* SPDX-License-Identifier: MIT */
/* geo_explain.c -- the decision for one client, with reasons, from first principles */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "geo/geo_explain.h"
#include "geo/geo_pick.h"

int geo_explain(const geo_db_t *db, const geo_dc_t *dcs, const geo_rules_t *rules,
		const geo_trie_t *trie, int family, const uint8_t *addr, geo_choice_t *choices,
		geo_explain_t *ex)
{
	memset(ex, 0, sizeof(*ex));
	if (family != AF_INET && family != AF_INET6)
		return -1;
	ex->family = family;
	memcpy(ex->addr, addr, family == AF_INET ? 4 : 16);
	if (family == AF_INET6 && (ex->form = geo_addr_form(addr)) != GEO_FORM_NATIVE)
		geo_addr_embedded_v4(ex->form, addr, ex->v4);
	if (geo_db_locate(db, family, addr, &ex->loc, &ex->netlen) < 0)
		return -1;
	ex->net = geo_nets_deciding(rules, family, addr);
	if (!ex->net)
		ex->map = geo_map_match(rules, &ex->loc);
	ex->choices = choices;
	ex->count = geo_order(dcs, rules, &ex->loc, ex->net, choices);
	if (trie) {
		const geo_list_t *list;
		if (geo_trie_lookup(trie, family, addr, family == AF_INET ? 32 : 128, &list,
				    &ex->scope) < 0)
			return -1;
		ex->has_scope = true;
		ex->agrees = list->count == ex->count;
		for (size_t i = 0; ex->agrees && i < ex->count; i++)
			ex->agrees = list->dc[i] == choices[i].dc;
	}
	return 0;
}

typedef struct {
	char *buf;  /* the text so far (may be truncated) */
	size_t len; /* bytes in buf */
	size_t pos; /* would-be length, like snprintf */
} out_t;

static void put(out_t *o, const char *fmt, ...) M_PRINTF(2, 3);
static void put(out_t *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL,
			  o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

size_t geo_explain_format(const geo_explain_t *ex, const geo_dc_t *dcs, char *buf, size_t len)
{
	out_t o = {buf, len, 0};
	char text[INET6_ADDRSTRLEN];

	if (len)
		buf[0] = '\0';
	inet_ntop(ex->family, ex->addr, text, sizeof(text));
	put(&o, "client: %s", text);
	if (ex->form != GEO_FORM_NATIVE) {
		inet_ntop(AF_INET, ex->v4, text, sizeof(text));
		put(&o, " (%s, looked up as %s)", geo_forms[ex->form].name, text);
	}
	put(&o, "\nlocation: ");
	const geo_loc_t *l = &ex->loc;
	if (!l->continent[0] && !l->country[0] && !l->has_location) {
		put(&o, "unknown");
	} else {
		put(&o, "%s", l->continent[0] ? l->continent : "-");
		if (l->country[0])
			put(&o, "/%s", l->country);
		if (l->country[0] && l->subdivision[0])
			put(&o, "/%s", l->subdivision);
		if (l->has_location)
			put(&o, " %.4f,%.4f", l->latitude, l->longitude);
		else
			put(&o, " (no coordinates)");
	}
	put(&o, " (database network /%u)\n", ex->netlen);
	if (ex->net)
		put(&o, "rule: nets \"%s\"\n", ex->net->key ? ex->net->key : "?");
	else if (ex->map)
		put(&o, "rule: map \"%s\"\n", ex->map->key);
	else
		put(&o, "rule: none\n");
	for (size_t i = 0, rank = 0; i < ex->count; i++) {
		const geo_choice_t *c = &ex->choices[i];
		if (c->dc >= GEO_PICK_SPLIT_MARK) {
			put(&o, "split: the %s entry's weights\n", c->rule ? c->rule : "?");
			continue;
		}
		put(&o, "%zu. %s", ++rank, dcs[c->dc].name);
		if (c->distance_km >= 0)
			put(&o, " %.0f km", c->distance_km);
		put(&o, " (%s", geo_why_name(c->why));
		if (c->rule)
			put(&o, " %s", c->rule);
		put(&o, ")\n");
	}
	if (ex->has_scope)
		put(&o, "scope: /%u%s\n", ex->scope,
		    ex->agrees ? "" : " (trie disagrees: please report)");
	return o.pos;
}
