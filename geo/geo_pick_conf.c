/* SPDX-License-Identifier: MIT */
/* geo_pick_conf.c -- the pick's plain inputs (records, datacenters), built from a config */
#include "config.h"
#include "geo/geo_pick_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void geo_pick_tables_free(geo_pick_tables_t *t)
{
	free(t->records);
	free(t->dcs);
	free(t->candidates);
	free(t->addresses);
	free(t->split_dc);
	free(t->split_weight);
	free(t->entry_splits);
	memset(t, 0, sizeof(*t));
}

/* The datacenters' addresses as rdata, A then AAAA per datacenter, and their seeds. */
static void tables_dcs(const conf_t *c, geo_pick_tables_t *t)
{
	uint8_t *p = t->addresses;
	for (size_t i = 0; i < c->datacenter_count; i++) {
		const conf_datacenter_t *d = &c->datacenters[i];
		geo_pick_dc_t *g = &t->dcs[i];
		g->seed = geo_pick_seed(d->name);
		g->capacity = d->capacity;
		g->a = p;
		for (size_t k = 0; k < d->address_count && g->a_count < GEO_PICK_ADDR_MAX; k++)
			if (d->addresses[k].family == AF_INET) {
				memcpy(p, d->addresses[k].bytes, 4);
				p += 4;
				g->a_count++;
			}
		g->aaaa = p;
		for (size_t k = 0; k < d->address_count && g->aaaa_count < GEO_PICK_ADDR_MAX; k++)
			if (d->addresses[k].family == AF_INET6) {
				memcpy(p, d->addresses[k].bytes, 16);
				p += 16;
				g->aaaa_count++;
			}
	}
}

/* Which split a weight belongs to, and the run-time weights that may replace it. */
typedef struct {
	size_t record;			/* index into conf->records */
	int entry;			/* -1: the record's own; else its map/nets entry */
	const geo_pick_reweight_t *rw;	/* run-time weights (may be NULL) */
	size_t rw_count;		/* entries in rw */
} split_place_t;

/* The weight of dc in the split at place: a run-time weight for it, else the config's. */
static uint32_t weight_of(const split_place_t *at, size_t dc, uint32_t config)
{
	for (size_t i = 0; at != NULL && i < at->rw_count; i++)
		if (at->rw[i].record == at->record && at->rw[i].entry == at->entry &&
		    at->rw[i].dc == dc)
			return at->rw[i].weight;
	return config;
}

/* Copies weights w[0..n) into a split, taking storage from *dc and *weight; datacenters
 * weighted 0 are left out (they take no client). */
static void split_fill(geo_pick_split_t *s, const conf_dc_weight_t *w, size_t n, uint16_t **dc,
		       uint32_t **weight, const split_place_t *at)
{
	s->dc = *dc;
	s->weight = *weight;
	s->count = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = weight_of(at, w[i].dc, w[i].weight);

		if (v == 0)
			continue;
		(*dc)[s->count] = (uint16_t)w[i].dc;
		(*weight)[s->count++] = v;
	}
	*dc += s->count;
	*weight += s->count;
}

/* A record's policy and entry splits (map entries, then nets entries: the numbering
 * geo_conf_input() gives their marks). An entry with weights in the config keeps its
 * place even when run-time weights set all of them to 0 (an empty split: the entry then
 * prefers in order), so the marks in the tries stay right. */
static void tables_policy(const conf_record_t *r, geo_pick_record_t *g, uint16_t **dc,
			  uint32_t **weight, geo_pick_split_t **entries, split_place_t *at)
{
	geo_pick_policy_t *p = &g->policy;
	at->entry = -1;
	split_fill(&p->weights, r->weights, r->weight_count, dc, weight, at);
	p->granularity4 = (uint8_t)(r->split_ipv4_prefix ? r->split_ipv4_prefix : 0);
	p->granularity6 = (uint8_t)(r->split_ipv6_prefix ? r->split_ipv6_prefix : 0);
	p->max_addresses = (uint8_t)(r->max_addresses <= GEO_PICK_ADDR_CAP_MAX ? r->max_addresses
									       : 0);
	g->entry_splits = *entries;
	for (size_t k = 0; k < r->map_count; k++)
		if (r->map[k].weight_count > 0) {
			at->entry = (int)k;
			split_fill(&(*entries)[g->entry_split_count++], r->map[k].weights,
				   r->map[k].weight_count, dc, weight, at);
		}
	for (size_t k = 0; k < r->net_count; k++)
		if (r->nets[k].weight_count > 0) {
			at->entry = (int)(r->map_count + k);
			split_fill(&(*entries)[g->entry_split_count++], r->nets[k].weights,
				   r->nets[k].weight_count, dc, weight, at);
		}
	*entries += g->entry_split_count;
	/* a weighted record or a capped answer varies by client network too */
	g->varies |= p->weights.count > 0 || p->max_addresses > 0;
}

int geo_pick_tables_build(const conf_t *c, geo_pick_tables_t *t, char *err, size_t errlen)
{
	return geo_pick_tables_build_with(c, NULL, 0, t, err, errlen);
}

int geo_pick_tables_build_with(const conf_t *c, const geo_pick_reweight_t *rw, size_t rw_count,
			       geo_pick_tables_t *t, char *err, size_t errlen)
{
	size_t ncand = 0, naddr = 0, nweights = 0, nentries = 0;

	memset(t, 0, sizeof(*t));
	if (c->datacenter_count > UINT16_MAX) {
		snprintf(err, errlen, "too many datacenters (%zu)", c->datacenter_count);
		return -1;
	}
	for (size_t i = 0; i < c->record_count; i++) {
		const conf_record_t *r = &c->records[i];
		ncand += r->datacenter_count;
		nweights += r->weight_count;
		for (size_t k = 0; k < r->map_count; k++) {
			nweights += r->map[k].weight_count;
			nentries += r->map[k].weight_count > 0;
		}
		for (size_t k = 0; k < r->net_count; k++) {
			nweights += r->nets[k].weight_count;
			nentries += r->nets[k].weight_count > 0;
		}
	}
	for (size_t i = 0; i < c->datacenter_count; i++)
		naddr += c->datacenters[i].address_count * 16;
	t->records = calloc(c->record_count + 1, sizeof(*t->records));
	t->candidates = calloc(ncand + 1, sizeof(*t->candidates));
	t->addresses = calloc(naddr + 1, 1);
	t->dcs = calloc(c->datacenter_count + 1, sizeof(*t->dcs));
	t->split_dc = calloc(nweights + 1, sizeof(*t->split_dc));
	t->split_weight = calloc(nweights + 1, sizeof(*t->split_weight));
	t->entry_splits = calloc(nentries + 1, sizeof(*t->entry_splits));
	if (!t->records || !t->candidates || !t->addresses || !t->dcs || !t->split_dc ||
	    !t->split_weight || !t->entry_splits) {
		geo_pick_tables_free(t);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->record_count = c->record_count;
	t->dc_count = c->datacenter_count;

	uint16_t *cand = t->candidates;
	uint16_t *split_dc = t->split_dc;
	uint32_t *split_weight = t->split_weight;
	geo_pick_split_t *entries = t->entry_splits;
	for (size_t i = 0; i < c->record_count; i++) {
		const conf_record_t *r = &c->records[i];
		geo_pick_record_t *g = &t->records[i];
		g->ttl = r->ttl;
		g->policy.short_ttl = r->transition_ttl;
		g->varies = r->datacenter_count > 1 || r->map_count > 0 || r->net_count > 0;
		g->candidates = cand;
		g->candidate_count = (unsigned)r->datacenter_count;
		for (size_t k = 0; k < r->datacenter_count; k++)
			*cand++ = (uint16_t)r->datacenters[k];
		split_place_t at = {.record = i, .entry = -1, .rw = rw, .rw_count = rw_count};
		tables_policy(r, g, &split_dc, &split_weight, &entries, &at);
	}
	tables_dcs(c, t);
	return 0;
}

/* The config's weights of the split at (record, entry). */
static const conf_dc_weight_t *split_weights(const conf_record_t *r, int entry, size_t *n)
{
	if (entry < 0) {
		*n = r->weight_count;
		return r->weights;
	}
	if ((size_t)entry < r->map_count) {
		*n = r->map[entry].weight_count;
		return r->map[entry].weights;
	}
	*n = r->nets[(size_t)entry - r->map_count].weight_count;
	return r->nets[(size_t)entry - r->map_count].weights;
}

int geo_pick_target_parse(const conf_t *conf, const char *target, size_t *record, int *entry,
			  char *err, size_t errlen)
{
	char name[300];
	const char *at = strchr(target, '@');
	size_t len = at ? (size_t)(at - target) : strlen(target);
	const conf_record_t *r;
	int rec;

	if (len == 0 || len + 2 > sizeof(name)) {
		snprintf(err, errlen, "\"%s\" is not RECORD or RECORD@ENTRY", target);
		return -1;
	}
	/* The record as the config writes it: lower case, absolute. */
	for (size_t i = 0; i < len; i++)
		name[i] = (char)(target[i] >= 'A' && target[i] <= 'Z' ? target[i] + 32 : target[i]);
	name[len] = '\0';
	if (name[len - 1] != '.')
		memcpy(name + len, ".", 2);
	rec = conf_record_find(conf, name);
	if (rec < 0) {
		snprintf(err, errlen, "no geo record %s in the configuration", name);
		return -1;
	}
	r = &conf->records[rec];
	*record = (size_t)rec;
	*entry = -1;
	if (at != NULL) {
		const char *key = at + 1;

		*entry = -2;
		for (size_t k = 0; k < r->map_count && *entry == -2; k++)
			if (strcmp(r->map[k].key, key) == 0)
				*entry = (int)k;
		for (size_t k = 0; k < r->net_count && *entry == -2; k++)
			if (r->nets[k].key != NULL && strcmp(r->nets[k].key, key) == 0)
				*entry = (int)(r->map_count + k);
		if (*entry == -2) {
			snprintf(err, errlen, "%s has no map or nets entry \"%s\"", name, key);
			return -1;
		}
	}
	size_t n;
	split_weights(r, *entry, &n);
	if (n == 0) {
		snprintf(err, errlen, "%s%s%s has no weights in the configuration: a run-time "
				      "weight changes a configured split",
			 name, at ? "@" : "", at ? at + 1 : "");
		return -1;
	}
	return 0;
}

int geo_pick_target_weight(const conf_t *conf, size_t record, int entry, size_t dc,
			   uint32_t *config_weight)
{
	size_t n;
	const conf_dc_weight_t *w = split_weights(&conf->records[record], entry, &n);

	for (size_t i = 0; i < n; i++)
		if (w[i].dc == dc) {
			*config_weight = w[i].weight;
			return 0;
		}
	return -1;
}

int geo_pick_reweight_resolve(const conf_t *conf, const char *target, const char *datacenter,
			      uint32_t weight, geo_pick_reweight_t *out)
{
	char err[8];
	uint32_t config_weight;

	memset(out, 0, sizeof(*out));
	if (geo_pick_target_parse(conf, target, &out->record, &out->entry, err, sizeof(err)) < 0)
		return -1;
	for (size_t i = 0; i < conf->datacenter_count; i++)
		if (strcmp(conf->datacenters[i].name, datacenter) == 0) {
			out->dc = i;
			out->weight = weight;
			return geo_pick_target_weight(conf, out->record, out->entry, i,
						      &config_weight);
		}
	return -1;
}
