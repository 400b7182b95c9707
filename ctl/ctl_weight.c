/* SPDX-License-Identifier: MIT */
/* ctl_weight.c -- `meridianctl weight`: run-time weights of configured splits */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_state.h"
#include "ctl/ctl_weight.h"
#include "geo/geo_pick_conf.h"
#include "state/state_weight.h"

/* Addressing: TARGET is the record ("www.example.com", its own `weights`) or
 * RECORD@KEY, a map or nets entry by its key as the config writes it ("EU/IE",
 * "10.0.0.0/8"); DC must be listed in that split's config weights; N is 0..1000000, or
 * "clear" to end the run-time weight (the config's counts again). Like an override, a
 * weight has a reason, an actor and an expiry (--for, default health.override_default),
 * is replicated to every region and audited; meridian-dnsd applies it without a
 * reload (docs/routing.md). */

/* The canonical target: the record's config name, "@KEY" for an entry. */
static void target_name(const conf_t *conf, size_t record, int entry, char *buf, size_t len)
{
	const conf_record_t *r = &conf->records[record];

	if (entry < 0)
		snprintf(buf, len, "%s", r->name);
	else if ((size_t)entry < r->map_count)
		snprintf(buf, len, "%s@%s", r->name, r->map[entry].key);
	else
		snprintf(buf, len, "%s@%s", r->name, r->nets[(size_t)entry - r->map_count].key);
}

/* The split's total weight once dc weighs `weight`, with the other run-time weights in
 * effect now taking the place of the config's. */
static uint64_t total_after(const conf_t *conf, size_t record, int entry, const char *target,
			    size_t dc, uint32_t weight, const state_weight_t *live, size_t n,
			    int64_t now)
{
	const conf_record_t *r = &conf->records[record];
	const conf_dc_weight_t *w = entry < 0 ? r->weights
				    : (size_t)entry < r->map_count
					? r->map[entry].weights
					: r->nets[(size_t)entry - r->map_count].weights;
	size_t count = entry < 0 ? r->weight_count
		       : (size_t)entry < r->map_count
			   ? r->map[entry].weight_count
			   : r->nets[(size_t)entry - r->map_count].weight_count;
	uint64_t total = 0;

	for (size_t i = 0; i < count; i++) {
		uint64_t v = w[i].weight;

		if (w[i].dc == dc) {
			total += weight;
			continue;
		}
		for (size_t k = 0; k < n; k++)
			if (state_weight_active(&live[k], now) && strcmp(live[k].target, target) == 0 &&
			    strcmp(live[k].datacenter, conf->datacenters[w[i].dc].name) == 0)
				v = live[k].weight;
		total += v;
	}
	return total;
}

static int parse_weight(const char *text, uint32_t *weight, bool *clear)
{
	char *end;
	unsigned long v;

	*clear = strcmp(text, "clear") == 0;
	if (*clear)
		return 0;
	if (text[0] < '0' || text[0] > '9')
		return -1;
	v = strtoul(text, &end, 10);
	if (*end != '\0' || v > STATE_WEIGHT_MAX)
		return -1;
	*weight = (uint32_t)v;
	return 0;
}

static void print_weight(const ctl_args_t *args, const state_weight_t *w, uint32_t config,
			 bool cleared, bool forced)
{
	char until[32], span[32];

	if (args->json) {
		ctl_json_t j;

		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_bool(&j, "ok", true);
		ctl_json_kv_string(&j, "target", w->target);
		ctl_json_kv_string(&j, "datacenter", w->datacenter);
		ctl_json_kv_bool(&j, "cleared", cleared);
		ctl_json_key(&j, "weight");
		if (cleared)
			ctl_json_null(&j);
		else
			ctl_json_uint(&j, w->weight);
		ctl_json_kv_uint(&j, "config_weight", config);
		ctl_json_kv_string(&j, "reason", w->reason);
		ctl_json_kv_string(&j, "actor", w->actor);
		ctl_json_kv_int(&j, "created_ms", w->created_ms);
		ctl_json_kv_int(&j, "expires_ms", cleared ? 0 : w->expires_ms);
		ctl_json_kv_bool(&j, "forced", forced);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
		return;
	}
	if (cleared) {
		printf("%s %s: run-time weight cleared by %s; the config's %u counts again\n",
		       w->target, w->datacenter, w->actor, config);
		return;
	}
	printf("%s %s: weight %u (config %u) by %s until %s (%s): \"%s\"\n", w->target,
	       w->datacenter, w->weight, config, w->actor,
	       timefmt_iso(w->expires_ms, until, sizeof(until)),
	       timefmt_duration(w->expires_ms - w->created_ms, span, sizeof(span)), w->reason);
	if (forced)
		printf("warning: forced: the split has no weight left; its clients prefer in "
		       "order\n");
}

int ctl_weight_run(const ctl_args_t *args, const conf_t *conf)
{
	char err[512], target[STATE_TEXT_MAX];
	state_weight_t w, *live = NULL;
	size_t record, n = 0;
	uint32_t config = 0;
	bool clear = false;
	int entry, dc, rc;
	state_t *st;

	if (geo_pick_target_parse(conf, args->positional[0], &record, &entry, err, sizeof(err)) <
	    0) {
		ctl_error("weight: %s", err);
		return CTL_EXIT_USAGE;
	}
	target_name(conf, record, entry, target, sizeof(target));
	dc = ctl_datacenter_lookup(conf, args->positional[1], err, sizeof(err));
	if (dc < 0) {
		ctl_error("weight: %s", err);
		return CTL_EXIT_USAGE;
	}
	if (geo_pick_target_weight(conf, record, entry, (size_t)dc, &config) < 0) {
		ctl_error("weight: %s is not in the split of %s: a run-time weight changes a "
			  "datacenter the config's weights list",
			  conf->datacenters[dc].name, target);
		return CTL_EXIT_USAGE;
	}
	memset(&w, 0, sizeof(w));
	if (parse_weight(args->positional[2], &w.weight, &clear) < 0) {
		ctl_error("weight: \"%s\" is not a weight in 0..%u (or clear)",
			  args->positional[2], STATE_WEIGHT_MAX);
		return CTL_EXIT_USAGE;
	}
	snprintf(w.target, sizeof(w.target), "%s", target);
	snprintf(w.datacenter, sizeof(w.datacenter), "%s", conf->datacenters[dc].name);
	snprintf(w.reason, sizeof(w.reason), "%s", args->reason);
	ctl_actor_resolve(args->actor, w.actor, sizeof(w.actor));
	st = ctl_state_open(conf, true);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	w.created_ms = state_now_ms(st);
	if (clear) {
		rc = state_weight_clear(st, w.target, w.datacenter, w.actor, w.reason);
		if (rc < 0)
			ctl_error("weight %s %s: cannot clear: %s", w.target, w.datacenter,
				  state_errmsg(st));
		else if (rc > 0 && !args->json)
			printf("%s %s: no run-time weight to clear\n", w.target, w.datacenter);
		else
			print_weight(args, &w, config, true, false);
		state_close(st);
		return rc < 0 ? CTL_EXIT_FAIL : CTL_EXIT_OK;
	}
	uint64_t for_ms = args->for_ms ? args->for_ms : conf->health.override_default_ms;
	if (for_ms == 0)
		for_ms = CTL_OVERRIDE_DEFAULT_MS;
	w.expires_ms = w.created_ms + (int64_t)for_ms;
	/* The split must keep some weight: with none, its clients would fall back to their
	 * order, which is rarely what a weight change means. */
	if (state_weights_list(st, &live, &n) < 0) {
		ctl_error("weight: cannot read the weights: %s", state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	bool empty = total_after(conf, record, entry, target, (size_t)dc, w.weight, live, n,
				 w.created_ms) == 0;
	free(live);
	if (empty && !args->force) {
		ctl_error("weight %s %s: refused: the split of %s would have no weight left; add "
			  "--force to do it anyway",
			  w.target, w.datacenter, w.target);
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	char detail[64];
	snprintf(detail, sizeof(detail), "config %u%s", config, empty ? ", forced: no weight left" : "");
	if (state_weight_put(st, &w, detail) < 0) {
		ctl_error("weight %s %s: cannot write: %s", w.target, w.datacenter, state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	state_close(st);
	print_weight(args, &w, config, false, empty);
	return CTL_EXIT_OK;
}
