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

int geo_pick_tables_build(const conf_t *c, geo_pick_tables_t *t, char *err, size_t errlen)
{
	size_t ncand = 0, naddr = 0;

	memset(t, 0, sizeof(*t));
	if (c->datacenter_count > UINT16_MAX) {
		snprintf(err, errlen, "too many datacenters (%zu)", c->datacenter_count);
		return -1;
	}
	for (size_t i = 0; i < c->record_count; i++)
		ncand += c->records[i].datacenter_count;
	for (size_t i = 0; i < c->datacenter_count; i++)
		naddr += c->datacenters[i].address_count * 16;
	t->records = calloc(c->record_count + 1, sizeof(*t->records));
	t->candidates = calloc(ncand + 1, sizeof(*t->candidates));
	t->addresses = calloc(naddr + 1, 1);
	t->dcs = calloc(c->datacenter_count + 1, sizeof(*t->dcs));
	t->split_dc = calloc(1, sizeof(*t->split_dc));
	t->split_weight = calloc(1, sizeof(*t->split_weight));
	if (!t->records || !t->candidates || !t->addresses || !t->dcs || !t->split_dc ||
	    !t->split_weight) {
		geo_pick_tables_free(t);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->record_count = c->record_count;
	t->dc_count = c->datacenter_count;

	uint16_t *cand = t->candidates;
	for (size_t i = 0; i < c->record_count; i++) {
		const conf_record_t *r = &c->records[i];
		geo_pick_record_t *g = &t->records[i];
		g->ttl = r->ttl;
		g->varies = r->datacenter_count > 1 || r->map_count > 0 || r->net_count > 0;
		g->candidates = cand;
		g->candidate_count = (unsigned)r->datacenter_count;
		for (size_t k = 0; k < r->datacenter_count; k++)
			*cand++ = (uint16_t)r->datacenters[k];
	}
	tables_dcs(c, t);
	return 0;
}
