/* SPDX-License-Identifier: MIT */
/* bridge_state.c -- the state floor's parameters (state_params_t) built from a config */
#include "config.h"
#include "bridge/bridge_state.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The parameters and every array behind them are one block, freed at once: the struct,
 * then the datacenters, records, peer names and checked-address indexes. Each part's
 * type holds a pointer or a size_t, so each part's size keeps the next one aligned. */

state_params_t *bridge_state_params_new(const conf_t *conf)
{
	size_t checked = 0;
	for (size_t i = 0; i < conf->datacenter_count; i++)
		checked += conf->datacenters[i].address_check_count;
	size_t ndc = conf->datacenter_count, nrec = conf->record_count;
	size_t npeer = conf->replication.peer_count;
	size_t size = sizeof(state_params_t) + ndc * sizeof(state_params_dc_t) +
		      nrec * sizeof(state_params_record_t) + npeer * sizeof(char *) +
		      checked * sizeof(size_t);
	void *block = calloc(1, size);
	if (block == NULL)
		return NULL;

	state_params_t *p = block;
	state_params_dc_t *dcs = (state_params_dc_t *)(p + 1);
	state_params_record_t *recs = (state_params_record_t *)(dcs + ndc);
	const char **peers = (const char **)(recs + nrec);
	size_t *indexes = (size_t *)(peers + npeer);

	p->region = conf->region;
	p->health.quorum = conf->health.quorum;
	p->health.stale_after_ms = conf->health.stale_after_ms;
	p->health.isolated_alone =
	    conf->health.isolated != NULL && strcmp(conf->health.isolated, "alone") == 0;
	p->health.hold_ms = conf->health.hold_ms;
	p->health.flap_damping = conf->health.flap_damping;
	p->health.flap_penalty = conf->health.flap_penalty;
	p->health.flap_suppress = conf->health.flap_suppress;
	p->health.flap_reuse = conf->health.flap_reuse;
	p->health.flap_half_life_ms = conf->health.flap_half_life_ms;
	p->health.flap_max_hold_ms = conf->health.flap_max_hold_ms;
	for (size_t k = 0; k < npeer; k++)
		peers[k] = conf->replication.peers[k].region;
	p->replication.peers = peers;
	p->replication.peer_count = npeer;
	p->replication.max_clock_skew_ms = conf->replication.max_clock_skew_ms;
	p->replication.isolated_after_ms = conf->replication.isolated_after_ms;

	for (size_t i = 0; i < ndc; i++) {
		const conf_datacenter_t *d = &conf->datacenters[i];
		state_params_dc_t *s = &dcs[i];
		s->name = d->name;
		s->addresses = d->addresses;
		s->address_count = d->address_count;
		s->checked_addresses = indexes;
		for (size_t k = 0; k < d->address_check_count; k++)
			*indexes++ = d->address_checks[k].address_index;
		s->checked_address_count = d->address_check_count;
		s->min_serving_percent = d->min_serving_percent;
		s->check_count = d->check_count;
		s->has_load = d->load_count > 0;
		s->load_heartbeat_ms = s->has_load ? d->load[0].heartbeat_ms : 0;
	}
	p->datacenters = dcs;
	p->datacenter_count = ndc;
	for (size_t r = 0; r < nrec; r++) {
		recs[r].name = conf->records[r].name;
		recs[r].datacenters = conf->records[r].datacenters;
		recs[r].datacenter_count = conf->records[r].datacenter_count;
	}
	p->records = recs;
	p->record_count = nrec;
	return p;
}

void bridge_state_params_free(state_params_t *params)
{
	free(params);
}
