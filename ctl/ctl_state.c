/* SPDX-License-Identifier: MIT */
/* ctl_state.c -- what meridianctl's subcommands share: opening the store, naming datacenters */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bridge/bridge_state.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_state.h"
#include "state/state_status.h"
#include "state/state_verdict.h"
#include "geo/geo_pick_conf.h"

state_t *ctl_state_open(const conf_t *conf, bool write)
{
	char err[512];
	struct stat sb;
	state_t *st;

	if (!write && stat(conf->state_path, &sb) != 0 && errno == ENOENT) {
		/* Creating the file from a read-only command would leave it owned by whoever
		 * ran meridianctl; say what is going on instead. */
		ctl_error("state store %s does not exist yet (it is created by meridian-dnsd, "
			  "meridian-healthcheck, meridian-replicator or the first override)",
			  conf->state_path);
		return NULL;
	}
	err[0] = '\0';
	st = write ? state_open(conf->state_path, conf->region, err, sizeof(err))
		   : state_open_readonly(conf->state_path, err, sizeof(err));
	if (st == NULL)
		ctl_error("cannot open state store %s: %s", conf->state_path,
			  err[0] != '\0' ? err : "unknown error");
	return st;
}

int ctl_datacenter_lookup(const conf_t *conf, const char *name, char *err, size_t errlen)
{
	int index = conf_datacenter_find(conf, name);
	size_t used;

	if (index >= 0)
		return index;
	used = (size_t)snprintf(err, errlen, "unknown datacenter \"%s\" (known: ", name);
	for (size_t i = 0; i < conf->datacenter_count && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s%s", i > 0 ? ", " : "",
					 conf->datacenters[i].name);
	if (conf->datacenter_count == 0 && used < errlen)
		used += (size_t)snprintf(err + used, errlen - used, "none configured");
	if (used < errlen)
		snprintf(err + used, errlen - used, ")");
	return -1;
}

const char *ctl_dc_state_label(int state)
{
	switch (state) {
	case STATE_DC_UP:
		return "UP";
	case STATE_DC_UNKNOWN:
		return "UNKNOWN";
	case STATE_DC_DOWN:
		return "DOWN";
	case STATE_DC_DRAINED:
		return "DRAINED";
	case STATE_DC_FORCED_DOWN:
		return "FORCED-DOWN";
	case STATE_DC_FORCED_UP:
		return "FORCED-UP";
	default:
		return "INVALID";
	}
}

/* Appends the address observations to view->obs. 0, or -1 after printing why. */
static int observations_add_addresses(state_t *st, ctl_view_t *view)
{
	state_observation_t *addr = NULL, *all;
	size_t n = 0;

	if (state_address_observations_list(st, &addr, &n) != 0) {
		ctl_error("cannot read address observations: %s", state_errmsg(st));
		return -1;
	}
	if (n == 0)
		return 0;
	all = realloc(view->obs, (view->obs_count + n) * sizeof(*all));
	if (all == NULL) {
		free(addr);
		ctl_error("out of memory");
		return -1;
	}
	memcpy(all + view->obs_count, addr, n * sizeof(*all));
	free(addr);
	view->obs = all;
	view->obs_count += n;
	return 0;
}

const char *ctl_address_text(const conf_t *conf, size_t dc, size_t k, char *buf, size_t len)
{
	const conf_ipaddr_t *a = &conf->datacenters[dc].addresses[k];

	if (inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

const char *ctl_view_addresses_text(const conf_t *conf, const ctl_view_t *view, size_t dc,
				    char *buf, size_t len)
{
	const conf_datacenter_t *d = &conf->datacenters[dc];
	const state_verdict_t *v = &view->verdicts[dc];
	size_t used = 0;

	buf[0] = '\0';
	if (d->address_check_count == 0)
		return buf;
	for (size_t k = 0; k < d->address_count && k < 64 && used < len; k++) {
		char text[STATE_ADDRESS_MAX];
		const state_observation_t *why = NULL;
		bool checked = (v->address_checked >> k) & 1;
		bool serving = (v->address_serving >> k) & 1;
		bool pending = (v->address_pending >> k) & 1;

		ctl_address_text(conf, dc, k, text, sizeof(text));
		/* the reason: a fresh observation that agrees with the verdict (or, in
		 * transition, one heading away from it) */
		for (size_t j = 0; checked && j < view->obs_count; j++) {
			const state_observation_t *o = &view->obs[j];
			if (strcmp(o->datacenter, d->name) != 0 || strcmp(o->address, text) != 0 ||
			    !state_observation_fresh(view->params, o, view->now_ms))
				continue;
			if (why == NULL || (pending ? o->pending != STATE_HEALTH_UNKNOWN
						    : (o->status == STATE_HEALTH_DOWN) == !serving))
				why = o;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s %s", k > 0 ? ", " : "", text,
					 !checked ? "no check" : serving ? "up" : "down");
		if (used < len && checked && why != NULL && why->detail[0] != '\0')
			used += (size_t)snprintf(buf + used, len - used, " (%s%.80s)",
						 !pending	      ? ""
						 : serving ? "failing: "
							   : "recovering: ",
						 why->detail);
		else if (used < len && pending)
			used += (size_t)snprintf(buf + used, len - used, " (%s)",
						 serving ? "failing" : "recovering");
	}
	return buf;
}

int ctl_view_empty(const conf_t *conf, ctl_view_t *view)
{
	memset(view, 0, sizeof(*view));
	view->params = bridge_state_params_new(conf);
	view->verdicts = calloc(conf->datacenter_count + 1, sizeof(*view->verdicts));
	if (view->params == NULL || view->verdicts == NULL) {
		ctl_error("out of memory");
		ctl_view_free(view);
		return -1;
	}
	for (size_t i = 0; i < conf->datacenter_count; i++)
		view->verdicts[i] = (state_verdict_t){.effective = STATE_DC_UNKNOWN,
						      .observed = STATE_DC_UNKNOWN,
						      .serving = true,
						      .address_serving = UINT64_MAX,
						      .override_index = -1};
	return 0;
}

int ctl_view_load(state_t *st, const conf_t *conf, ctl_view_t *view)
{
	memset(view, 0, sizeof(*view));
	view->now_ms = state_now_ms(st);
	view->params = bridge_state_params_new(conf);
	if (view->params == NULL) {
		ctl_error("out of memory");
		goto fail;
	}
	if (state_observations_list(st, &view->obs, &view->obs_count) != 0) {
		ctl_error("cannot read observations: %s", state_errmsg(st));
		goto fail;
	}
	if (observations_add_addresses(st, view) != 0)
		goto fail;
	if (state_overrides_list(st, &view->ovr, &view->ovr_count) != 0) {
		ctl_error("cannot read overrides: %s", state_errmsg(st));
		goto fail;
	}
	if (state_loads_list(st, &view->loads, &view->load_count) != 0) {
		ctl_error("cannot read live loads: %s", state_errmsg(st));
		goto fail;
	}
	if (state_weights_list(st, &view->weights, &view->weight_count) != 0) {
		ctl_error("cannot read run-time weights: %s", state_errmsg(st));
		goto fail;
	}
	view->reweights = calloc(view->weight_count + 1, sizeof(*view->reweights));
	if (view->reweights == NULL) {
		ctl_error("out of memory");
		goto fail;
	}
	/* As meridian-dnsd takes them (dnsd_reload.c): in effect, and a split of this config. */
	for (size_t i = 0; i < view->weight_count; i++)
		if (state_weight_active(&view->weights[i], view->now_ms) &&
		    geo_pick_reweight_resolve(conf, view->weights[i].target,
					      view->weights[i].datacenter, view->weights[i].weight,
					      &view->reweights[view->reweight_count]) == 0)
			view->reweight_count++;
	view->pick_load = calloc(conf->datacenter_count + 1, sizeof(*view->pick_load));
	view->pick_has_load = calloc(conf->datacenter_count + 1, sizeof(*view->pick_has_load));
	if (view->pick_load == NULL || view->pick_has_load == NULL) {
		ctl_error("out of memory");
		goto fail;
	}
	for (size_t i = 0; i < conf->datacenter_count; i++)
		view->pick_has_load[i] =
		    state_load_for_pick(view->params, i, view->loads, view->load_count,
					view->now_ms, &view->pick_load[i]);
	view->verdicts = calloc(conf->datacenter_count + 1, sizeof(*view->verdicts));
	view->memory = calloc(2 * (conf->datacenter_count + 1), sizeof(*view->memory));
	if (view->verdicts == NULL || view->memory == NULL) {
		ctl_error("out of memory");
		goto fail;
	}
	if (state_verdict_memory_load(st, view->params, view->memory) != 0) {
		ctl_error("cannot read the verdict memory: %s", state_errmsg(st));
		goto fail;
	}
	/* Decided as meridian-dnsd decides, with its memory; the memory as updated for this
	 * instant follows the one read (nothing is saved). */
	state_verdict_decide(view->params, view->obs, view->obs_count, view->ovr, view->ovr_count,
			     view->memory, view->now_ms, view->verdicts,
			     view->memory + conf->datacenter_count + 1);
	memmove(view->memory, view->memory + conf->datacenter_count + 1,
		(conf->datacenter_count + 1) * sizeof(*view->memory));
	if (state_isolation(st, view->params, view->now_ms, &view->isolated,
			    &view->peer_contact_ms) != 0) {
		ctl_error("cannot read the peers table: %s", state_errmsg(st));
		goto fail;
	}
	return 0;
fail:
	ctl_view_free(view);
	return -1;
}

void ctl_view_free(ctl_view_t *view)
{
	free(view->obs);
	free(view->ovr);
	free(view->verdicts);
	free(view->memory);
	free(view->loads);
	free(view->pick_load);
	free(view->pick_has_load);
	free(view->weights);
	free(view->reweights);
	bridge_state_params_free(view->params);
	memset(view, 0, sizeof(*view));
}

size_t ctl_view_capacity_short(const conf_t *conf, const ctl_view_t *view,
				geo_capacity_short_t *out, size_t max)
{
	geo_pick_tables_t t;
	char err[128];
	size_t n;

	if (geo_pick_tables_build_with(conf, view->reweights, view->reweight_count, &t, err,
				       sizeof(err)) < 0)
		return 0; /* out of memory: status cannot tell, and says nothing */
	for (size_t i = 0; i < t.dc_count; i++) {
		t.dcs[i].serving = view->verdicts[i].serving;
		t.dcs[i].fail_open_rank = (uint8_t)state_verdict_fail_open_rank(&view->verdicts[i]);
		t.dcs[i].has_load = view->pick_has_load != NULL && view->pick_has_load[i];
		t.dcs[i].load = view->pick_load != NULL ? view->pick_load[i] : 0;
	}
	n = geo_capacity_shortfalls(&t, out, max);
	geo_pick_tables_free(&t);
	return n;
}

bool ctl_view_fails_open(const conf_t *conf, const ctl_view_t *view, size_t record)
{
	static const int families[] = {AF_INET, AF_INET6};
	geo_pick_tables_t t;
	char err[128];
	bool open = false;

	if (geo_pick_tables_build_with(conf, view->reweights, view->reweight_count, &t, err,
				       sizeof(err)) < 0)
		return false; /* out of memory: status cannot tell, and says nothing */
	for (size_t i = 0; i < t.dc_count; i++) {
		t.dcs[i].serving = view->verdicts[i].serving;
		t.dcs[i].fail_open_rank = (uint8_t)state_verdict_fail_open_rank(&view->verdicts[i]);
		t.dcs[i].state = (uint8_t)view->verdicts[i].effective;
		t.dcs[i].has_load = view->pick_has_load != NULL && view->pick_has_load[i];
		t.dcs[i].load = view->pick_load != NULL ? view->pick_load[i] : 0;
	}
	/* What meridian-dnsd answers a client the lookup has no opinion of: the record's
	 * candidates in order, each family; fail open is the pick's own verdict. */
	const geo_pick_record_t *rec = &t.records[record];
	for (size_t f = 0; f < M_ARRAY_LEN(families); f++) {
		geo_pick_query_t q = {.order = rec->candidates,
				      .count = rec->candidate_count,
				      .family = families[f],
				      .client_family = AF_INET};
		geo_pick_result_t r;
		geo_pick(rec, t.dcs, t.dc_count, &q, &r);
		open |= !r.any_serving;
	}
	geo_pick_tables_free(&t);
	return open;
}

const state_override_t *ctl_view_override(const ctl_view_t *view, size_t i)
{
	int index = view->verdicts[i].override_index;

	if (index < 0 || (size_t)index >= view->ovr_count)
		return NULL;
	return &view->ovr[index];
}
