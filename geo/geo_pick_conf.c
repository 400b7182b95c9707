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

/* Copies weights w[0..n) into a split, taking storage from *dc and *weight; datacenters
 * weighted 0 are left out (they take no client). */
static void split_fill(geo_pick_split_t *s, const conf_dc_weight_t *w, size_t n, uint16_t **dc,
		       uint32_t **weight)
{
	s->dc = *dc;
	s->weight = *weight;
	s->count = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].weight == 0)
			continue;
		(*dc)[s->count] = (uint16_t)w[i].dc;
		(*weight)[s->count++] = w[i].weight;
	}
	*dc += s->count;
	*weight += s->count;
}

/* A record's policy and entry splits (map entries, then nets entries: the numbering
 * geo_conf_input() gives their marks). */
static void tables_policy(const conf_record_t *r, geo_pick_record_t *g, uint16_t **dc,
			  uint32_t **weight, geo_pick_split_t **entries)
{
	geo_pick_policy_t *p = &g->policy;
	split_fill(&p->weights, r->weights, r->weight_count, dc, weight);
	p->granularity4 = (uint8_t)(r->split_ipv4_prefix ? r->split_ipv4_prefix : 0);
	p->granularity6 = (uint8_t)(r->split_ipv6_prefix ? r->split_ipv6_prefix : 0);
	p->max_addresses = (uint8_t)(r->max_addresses <= GEO_PICK_ADDR_CAP_MAX ? r->max_addresses
									       : 0);
	g->entry_splits = *entries;
	for (size_t k = 0; k < r->map_count; k++)
		if (r->map[k].weight_count > 0)
			split_fill(&(*entries)[g->entry_split_count++], r->map[k].weights,
				   r->map[k].weight_count, dc, weight);
	for (size_t k = 0; k < r->net_count; k++)
		if (r->nets[k].weight_count > 0)
			split_fill(&(*entries)[g->entry_split_count++], r->nets[k].weights,
				   r->nets[k].weight_count, dc, weight);
	*entries += g->entry_split_count;
	/* a weighted record or a capped answer varies by client network too */
	g->varies |= p->weights.count > 0 || p->max_addresses > 0;
}

int geo_pick_tables_build(const conf_t *c, geo_pick_tables_t *t, char *err, size_t errlen)
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
		g->varies = r->datacenter_count > 1 || r->map_count > 0 || r->net_count > 0;
		g->candidates = cand;
		g->candidate_count = (unsigned)r->datacenter_count;
		for (size_t k = 0; k < r->datacenter_count; k++)
			*cand++ = (uint16_t)r->datacenters[k];
		tables_policy(r, g, &split_dc, &split_weight, &entries);
	}
	tables_dcs(c, t);
	return 0;
}
