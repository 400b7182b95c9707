/* SPDX-License-Identifier: MIT */
/* ctl_status.c -- `meridianctl status`: effective state, observations, overrides, fail-open */
#include "config.h"

#include <string.h>

#include "ctl/ctl_drift.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_status.h"

static const char *level_name(int level);

const char *ctl_status_observation_text(const state_params_t *params,
					const state_observation_t *obs, int64_t now_ms, char *buf,
					size_t len)
{
	char age[32];
	size_t used;

	/* The age is how long the region has seen this status: "down 3s" reads as "down
	 * for three seconds", which is what an operator asks first. Both ages are this
	 * region's view (state_observation_since_ms), right whatever the observer's clock. */
	used = (size_t)snprintf(
	    buf, len, "%s:%s %s", obs->checker, state_health_name(obs->status),
	    timefmt_duration(now_ms - state_observation_since_ms(obs), age, sizeof(age)));
	if (obs->detail[0] != '\0' && used < len)
		used += (size_t)snprintf(buf + used, len - used, " \"%s\"", obs->detail);
	if (!state_observation_fresh(params, obs, now_ms) && used < len)
		snprintf(buf + used, len - used, " (stale, checked %s ago)",
			 timefmt_duration(state_observation_age_ms(obs, now_ms), age, sizeof(age)));
	return buf;
}

const char *ctl_status_override_text(const state_override_t *ovr, int64_t now_ms, char *buf,
				     size_t len)
{
	char left[48], span[32];

	if (ovr->expires_ms == 0)
		snprintf(left, sizeof(left), "no expiry");
	else
		snprintf(left, sizeof(left), "%s left",
			 timefmt_duration(ovr->expires_ms - now_ms, span, sizeof(span)));
	snprintf(buf, len, "%s by %s, %s: \"%s\"", state_override_action_name(ovr->action),
		 ovr->actor, left, ovr->reason);
	return buf;
}

/* Overrides scheduled to start later (state_override_pending), one line each, so an
 * operator sees maintenance coming before it drains anything. */
static void print_scheduled(FILE *out, const ctl_view_t *view)
{
	bool any = false;

	for (size_t k = 0; k < view->ovr_count; k++) {
		const state_override_t *o = &view->ovr[k];
		char from[32], until[32], wait[32], span[32];

		if (!state_override_pending(o, view->now_ms))
			continue;
		if (!any)
			fputc('\n', out);
		any = true;
		fprintf(out, "SCHEDULED %s: %s by %s from %s (in %s)", o->datacenter,
			state_override_action_name(o->action), o->actor,
			timefmt_iso(o->starts_ms, from, sizeof(from)),
			timefmt_duration(o->starts_ms - view->now_ms, wait, sizeof(wait)));
		if (o->expires_ms != 0)
			fprintf(out, " until %s (for %s)", timefmt_iso(o->expires_ms, until, sizeof(until)),
				timefmt_duration(o->expires_ms - o->starts_ms, span, sizeof(span)));
		fprintf(out, ": \"%s\"\n", o->reason);
	}
}

/* Most capacity shortfalls status lists. */
#define STATUS_SHORT_MAX 64

/* One CAPACITY-SHORT line per record whose failed datacenter's clients spill past the
 * others' spare capacity (what meridian-dnsd counts in capacity_short answers). */
static void print_capacity(FILE *out, const conf_t *conf, const ctl_view_t *view)
{
	geo_capacity_short_t rows[STATUS_SHORT_MAX];
	size_t n = ctl_view_capacity_short(conf, view, rows, STATUS_SHORT_MAX);

	if (n > STATUS_SHORT_MAX)
		n = STATUS_SHORT_MAX;
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%sCAPACITY-SHORT %s: %s is not serving; its demand %llu exceeds the "
			     "spare capacity %llu of the datacenters after it\n",
			i == 0 ? "\n" : "", conf->records[rows[i].record].name,
			conf->datacenters[rows[i].dc].name, (unsigned long long)rows[i].demand,
			(unsigned long long)rows[i].spare);
}

static void json_capacity(ctl_json_t *j, const conf_t *conf, const ctl_view_t *view)
{
	geo_capacity_short_t rows[STATUS_SHORT_MAX];
	size_t n = ctl_view_capacity_short(conf, view, rows, STATUS_SHORT_MAX);

	if (n > STATUS_SHORT_MAX)
		n = STATUS_SHORT_MAX;
	ctl_json_key(j, "capacity_short");
	ctl_json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		ctl_json_object_begin(j);
		ctl_json_kv_string(j, "record", conf->records[rows[i].record].name);
		ctl_json_kv_string(j, "datacenter", conf->datacenters[rows[i].dc].name);
		ctl_json_kv_uint(j, "demand", rows[i].demand);
		ctl_json_kv_uint(j, "spare", rows[i].spare);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
}

/* Run-time weights in effect (`meridianctl weight`), one line each. */
static void print_weights(FILE *out, const ctl_view_t *view)
{
	bool any = false;

	for (size_t k = 0; k < view->weight_count; k++) {
		const state_weight_t *w = &view->weights[k];
		char left[48];

		if (!state_weight_active(w, view->now_ms))
			continue;
		if (!any)
			fputc('\n', out);
		any = true;
		char span[32];

		if (w->expires_ms == 0)
			snprintf(left, sizeof(left), "no expiry");
		else
			snprintf(left, sizeof(left), "%s left",
				 timefmt_duration(w->expires_ms - view->now_ms, span, sizeof(span)));
		fprintf(out, "WEIGHT %s %s: %u by %s, %s: \"%s\"\n", w->target, w->datacenter,
			w->weight, w->actor, left, w->reason);
	}
}

static void json_weights(ctl_json_t *j, const ctl_view_t *view)
{
	ctl_json_key(j, "weights");
	ctl_json_array_begin(j);
	for (size_t k = 0; k < view->weight_count; k++) {
		const state_weight_t *w = &view->weights[k];

		if (!state_weight_active(w, view->now_ms))
			continue;
		ctl_json_object_begin(j);
		ctl_json_kv_string(j, "target", w->target);
		ctl_json_kv_string(j, "datacenter", w->datacenter);
		ctl_json_kv_uint(j, "weight", w->weight);
		ctl_json_kv_string(j, "reason", w->reason);
		ctl_json_kv_string(j, "actor", w->actor);
		ctl_json_kv_string(j, "origin", w->origin);
		ctl_json_kv_int(j, "created_ms", w->created_ms);
		ctl_json_kv_int(j, "expires_ms", w->expires_ms);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
}

static void json_scheduled(ctl_json_t *j, const ctl_view_t *view)
{
	ctl_json_key(j, "scheduled");
	ctl_json_array_begin(j);
	for (size_t k = 0; k < view->ovr_count; k++) {
		const state_override_t *o = &view->ovr[k];

		if (!state_override_pending(o, view->now_ms))
			continue;
		ctl_json_object_begin(j);
		ctl_json_kv_string(j, "datacenter", o->datacenter);
		ctl_json_kv_string(j, "action", state_override_action_name(o->action));
		ctl_json_kv_string(j, "reason", o->reason);
		ctl_json_kv_string(j, "actor", o->actor);
		ctl_json_kv_string(j, "origin", o->origin);
		ctl_json_kv_int(j, "created_ms", o->created_ms);
		ctl_json_kv_int(j, "starts_ms", o->starts_ms);
		ctl_json_kv_int(j, "starts_in_ms", o->starts_ms - view->now_ms);
		ctl_json_kv_int(j, "expires_ms", o->expires_ms);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
}

static void json_observation(ctl_json_t *j, const state_params_t *params,
			     const state_observation_t *obs, int64_t now_ms);

/* Per datacenter with address checks, which addresses answers use and why; per
 * datacenter in transition, what is about to change (answers carry transition_ttl). */
static void print_addresses(FILE *out, const conf_t *conf, const ctl_view_t *view)
{
	bool first = true;

	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const conf_datacenter_t *d = &conf->datacenters[i];
		const state_verdict_t *v = &view->verdicts[i];
		char list[1024];

		if (d->address_check_count > 0) {
			fprintf(out, "%sADDRESSES %s: ", first ? "\n" : "", d->name);
			if (v->addresses_serving < v->addresses_needed)
				fprintf(out, "%u of %zu addresses serve, fewer than %u: not serving",
					v->addresses_serving, d->address_count, v->addresses_needed);
			else
				fprintf(out, "%u of %zu addresses serve (at least %u needed)",
					v->addresses_serving, d->address_count, v->addresses_needed);
			fprintf(out, "; %s\n", ctl_view_addresses_text(conf, view, i, list, sizeof(list)));
			first = false;
		}
		if (v->in_transition) {
			fprintf(out, "%sTRANSITION %s: %s\n", first ? "\n" : "", d->name,
				v->transition);
			first = false;
		}
	}
}

static void json_addresses(ctl_json_t *j, const conf_t *conf, const ctl_view_t *view, size_t i)
{
	const conf_datacenter_t *d = &conf->datacenters[i];
	const state_verdict_t *v = &view->verdicts[i];
	char text[STATE_ADDRESS_MAX];

	ctl_json_kv_bool(j, "in_transition", v->in_transition);
	ctl_json_key(j, "change_in_ms");
	if (v->in_transition)
		ctl_json_int(j, v->change_in_ms);
	else
		ctl_json_null(j);
	ctl_json_kv_string(j, "transition", v->in_transition ? v->transition : NULL);
	ctl_json_kv_uint(j, "addresses_needed", v->addresses_needed);
	ctl_json_key(j, "addresses_serving");
	ctl_json_array_begin(j);
	for (size_t k = 0; k < d->address_count; k++)
		if (k >= 64 || ((v->address_serving >> k) & 1))
			ctl_json_string(j, ctl_address_text(conf, i, k, text, sizeof(text)));
	ctl_json_array_end(j);
	ctl_json_key(j, "addresses");
	ctl_json_array_begin(j);
	for (size_t k = 0; k < d->address_count; k++) {
		bool checked = k < 64 && ((v->address_checked >> k) & 1);
		ctl_json_object_begin(j);
		ctl_json_kv_string(j, "address", ctl_address_text(conf, i, k, text, sizeof(text)));
		ctl_json_kv_bool(j, "checked", checked);
		ctl_json_kv_bool(j, "serving", k >= 64 || ((v->address_serving >> k) & 1));
		ctl_json_kv_bool(j, "in_transition", k < 64 && ((v->address_pending >> k) & 1));
		ctl_json_key(j, "observations");
		ctl_json_array_begin(j);
		for (size_t o = 0; checked && o < view->obs_count; o++)
			if (strcmp(view->obs[o].datacenter, d->name) == 0 &&
			    strcmp(view->obs[o].address, text) == 0)
				json_observation(j, view->params, &view->obs[o], view->now_ms);
		ctl_json_array_end(j);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
}

/* A datacenter's own observation (not one of its addresses'). */
/* The newest reading of datacenter i by any region, good or not (to show a failing read). */
static const state_load_t *newest_load(const conf_t *conf, const ctl_view_t *view, size_t i)
{
	const state_load_t *newest = NULL;

	for (size_t k = 0; k < view->load_count; k++)
		if (strcmp(view->loads[k].datacenter, conf->datacenters[i].name) == 0 &&
		    (newest == NULL || view->loads[k].measured_ms > newest->measured_ms))
			newest = &view->loads[k];
	return newest;
}

/* Live loads (datacenters.NAME.load): the reading that counts (state_load_current: the
 * newest good one within twice the heartbeat), and a failing newest read. */
static void print_loads(FILE *out, const conf_t *conf, const ctl_view_t *view)
{
	bool any = false;

	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const state_load_t *from = NULL, *newest = newest_load(conf, view, i);
		char age[32];
		double value;

		if (conf->datacenters[i].load_count == 0 && newest == NULL)
			continue;
		if (!any)
			fputc('\n', out);
		any = true;
		fprintf(out, "LOAD %s: ", conf->datacenters[i].name);
		if (state_load_current(view->loads, view->load_count, conf->datacenters[i].name,
				       view->now_ms, state_load_max_age(view->params, i), &value,
				       &from))
			fprintf(out, "%g (read by %s %s ago)", value, from->checker,
				timefmt_duration(view->now_ms - from->measured_ms, age, sizeof(age)));
		else
			fprintf(out, "unknown (no fresh reading)");
		if (newest != NULL && !newest->ok)
			fprintf(out, "; last read by %s failed %s ago: %s", newest->checker,
				timefmt_duration(view->now_ms - newest->measured_ms, age, sizeof(age)),
				newest->detail);
		fputc('\n', out);
	}
}

static void json_load(ctl_json_t *j, const conf_t *conf, const ctl_view_t *view, size_t i)
{
	const state_load_t *from = NULL, *newest = newest_load(conf, view, i);
	double value;

	ctl_json_key(j, "load");
	if (conf->datacenters[i].load_count == 0 && newest == NULL) {
		ctl_json_null(j);
		return;
	}
	ctl_json_object_begin(j);
	ctl_json_key(j, "value");
	if (state_load_current(view->loads, view->load_count, conf->datacenters[i].name,
			       view->now_ms, state_load_max_age(view->params, i), &value, &from)) {
		ctl_json_double(j, value);
		ctl_json_kv_string(j, "region", from->checker);
		ctl_json_kv_int(j, "measured_ms", from->measured_ms);
	} else {
		ctl_json_null(j);
		ctl_json_kv_string(j, "region", NULL);
		ctl_json_kv_int(j, "measured_ms", 0);
	}
	ctl_json_kv_string(j, "error", newest != NULL && !newest->ok ? newest->detail : NULL);
	ctl_json_object_end(j);
}

static bool observation_is_for(const state_observation_t *obs, const char *datacenter)
{
	return strcmp(obs->datacenter, datacenter) == 0 && obs->address[0] == '\0';
}

/* Appends why a verdict is held to a STATE cell: "DOWN (held down: flapping, reuse in
 * 2m10s)", "DOWN (held: isolated, 4m10s left)". */
static void status_hold_text(const state_verdict_t *v, char *buf, size_t len)
{
	size_t used = strlen(buf);
	char held[64];

	if (state_verdict_hold_text(v, held, sizeof(held))[0] != '\0' && used < len)
		snprintf(buf + used, len - used, " (%s)", held);
}

int ctl_status_print_table(FILE *out, const conf_t *conf, const ctl_view_t *view)
{
	ctl_table_t table;
	char now[32];
	bool any_fail_open = false;
	char alarm[1024];
	int rc;

	char stale[32], hold[32];
	unsigned regions = 1 + (unsigned)conf->replication.peer_count;
	unsigned quorum = conf->health.quorum ? conf->health.quorum : regions / 2 + 1;

	/* How the votes count, in one sentence, so DOWN, (stale) and held read without
	 * opening the config (docs/verdict.md). */
	fprintf(out,
		"region %s, %s; down when %u of the %u configured regions' fresh votes say down"
		" (stale votes count neither way), stale after %s; isolated: %s (at most %s),"
		" flap damping %s; ages by this region's clock\n\n",
		conf->region, timefmt_iso(view->now_ms, now, sizeof(now)), quorum, regions,
		timefmt_duration(conf->health.stale_after_ms, stale, sizeof(stale)),
		conf->health.isolated ? conf->health.isolated : "hold",
		timefmt_duration(conf->health.hold_ms, hold, sizeof(hold)),
		conf->health.flap_damping ? "on" : "off");
	ctl_table_init(&table, 4);
	ctl_table_row(&table, (const char *const[]){"DATACENTER", "STATE", "OBSERVED", "OVERRIDE"});
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const char *name = conf->datacenters[i].name;
		const state_verdict_t *v = &view->verdicts[i];
		const state_override_t *ovr = ctl_view_override(view, i);
		char ovr_text[3 * STATE_TEXT_MAX];
		char obs_text[2 * STATE_TEXT_MAX];
		char state_text[96];
		bool first = true;

		if (ovr != NULL)
			ctl_status_override_text(ovr, view->now_ms, ovr_text, sizeof(ovr_text));
		/* Under an override, what the observations alone say: is it safe to clear? */
		if (v->effective == STATE_DC_DRAINED || v->effective == STATE_DC_FORCED_DOWN ||
		    v->effective == STATE_DC_FORCED_UP)
			snprintf(state_text, sizeof(state_text), "%s (real %s)",
				 ctl_dc_state_label((int)v->effective),
				 ctl_dc_state_label((int)v->observed));
		else
			snprintf(state_text, sizeof(state_text), "%s",
				 ctl_dc_state_label((int)v->effective));
		status_hold_text(v, state_text, sizeof(state_text));
		for (size_t k = 0; k < view->obs_count; k++) {
			if (!observation_is_for(&view->obs[k], name))
				continue;
			ctl_status_observation_text(view->params, &view->obs[k], view->now_ms,
						    obs_text, sizeof(obs_text));
			/* One row per region's observation; the datacenter's own columns only on
			 * the first, so the eye finds each datacenter at the left margin. */
			ctl_table_row(&table,
				      first ? (const char *const[]){name, state_text, obs_text,
								    ovr != NULL ? ovr_text : NULL}
					    : (const char *const[]){"", "", obs_text, ""});
			first = false;
		}
		if (first)
			ctl_table_row(&table,
				      (const char *const[]){name, state_text, "no observations",
							    ovr != NULL ? ovr_text : NULL});
	}
	rc = ctl_table_print(&table, out);
	ctl_table_free(&table);
	print_loads(out, conf, view);
	print_capacity(out, conf, view);
	print_weights(out, view);
	print_scheduled(out, view);
	print_addresses(out, conf, view);

	for (size_t r = 0; r < conf->record_count; r++) {
		const conf_record_t *rec = &conf->records[r];

		if (!ctl_view_fails_open(conf, view, r))
			continue;
		if (!any_fail_open)
			fputc('\n', out);
		any_fail_open = true;
		fprintf(out, "FAIL-OPEN %s: no serving candidate (", rec->name);
		for (size_t k = 0; k < rec->datacenter_count; k++)
			fprintf(
			    out, "%s%s %s", k > 0 ? ", " : "",
			    conf->datacenters[rec->datacenters[k]].name,
			    ctl_dc_state_label((int)view->verdicts[rec->datacenters[k]].effective));
		fprintf(out, "); answering as if all were up\n");
	}
	if (state_verdict_alarm(view->params, view->verdicts, alarm, sizeof(alarm)))
		fprintf(out, "\nCRITICAL: %s\n", alarm);
	return rc;
}

static void json_override(ctl_json_t *j, const state_override_t *ovr, int64_t now_ms)
{
	ctl_json_object_begin(j);
	ctl_json_kv_string(j, "action", state_override_action_name(ovr->action));
	ctl_json_kv_string(j, "reason", ovr->reason);
	ctl_json_kv_string(j, "actor", ovr->actor);
	ctl_json_kv_string(j, "origin", ovr->origin);
	ctl_json_kv_int(j, "created_ms", ovr->created_ms);
	ctl_json_kv_int(j, "starts_ms", ovr->starts_ms != 0 ? ovr->starts_ms : ovr->created_ms);
	ctl_json_kv_int(j, "expires_ms", ovr->expires_ms);
	ctl_json_key(j, "remaining_ms");
	if (ovr->expires_ms == 0)
		ctl_json_null(j);
	else
		ctl_json_int(j, ovr->expires_ms - now_ms);
	ctl_json_object_end(j);
}

static void json_observation(ctl_json_t *j, const state_params_t *params,
			     const state_observation_t *obs, int64_t now_ms)
{
	ctl_json_object_begin(j);
	ctl_json_kv_string(j, "region", obs->checker);
	ctl_json_kv_string(j, "status", state_health_name(obs->status));
	ctl_json_kv_int(j, "since_ms", obs->since_ms);
	ctl_json_kv_int(j, "checked_ms", obs->checked_ms);
	ctl_json_kv_int(j, "received_ms", obs->received_ms);
	ctl_json_kv_int(j, "age_ms", state_observation_age_ms(obs, now_ms));
	ctl_json_kv_int(j, "status_age_ms", now_ms - state_observation_since_ms(obs));
	ctl_json_key(j, "latency_ms");
	if (obs->latency_ms < 0)
		ctl_json_null(j);
	else
		ctl_json_int(j, obs->latency_ms);
	ctl_json_kv_string(j, "detail", obs->detail);
	ctl_json_kv_bool(j, "stale", !state_observation_fresh(params, obs, now_ms));
	/* the checker's probes heading elsewhere, rise/fall not reached yet */
	ctl_json_kv_string(j, "pending",
			   obs->pending != STATE_HEALTH_UNKNOWN ? state_health_name(obs->pending)
								: NULL);
	ctl_json_key(j, "change_in_ms");
	if (obs->pending != STATE_HEALTH_UNKNOWN)
		ctl_json_int(j, obs->change_in_ms);
	else
		ctl_json_null(j);
	ctl_json_object_end(j);
}

/* Held verdicts, damping and this region's counters of one datacenter. */
static void json_hold(ctl_json_t *j, const state_verdict_t *v, const state_verdict_memory_t *m)
{
	ctl_json_kv_string(j, "hold", state_hold_name(v->hold));
	ctl_json_kv_int(j, "hold_left_ms", v->hold_left_ms);
	ctl_json_kv_bool(j, "alone", v->alone);
	ctl_json_kv_bool(j, "damped", v->damped);
	ctl_json_kv_int(j, "reuse_ms", v->reuse_ms);
	ctl_json_kv_int(j, "penalty", (int64_t)(v->penalty + 0.5));
	ctl_json_key(j, "counters");
	ctl_json_object_begin(j);
	ctl_json_kv_uint(j, "transitions", m ? m->transitions : 0);
	ctl_json_kv_uint(j, "holds", m ? m->holds : 0);
	ctl_json_kv_uint(j, "isolated", m ? m->isolated : 0);
	ctl_json_kv_uint(j, "expiries", m ? m->expiries : 0);
	ctl_json_kv_uint(j, "suppressions", m ? m->suppressions : 0);
	ctl_json_object_end(j);
}

int ctl_status_print_json(FILE *out, const conf_t *conf, const ctl_view_t *view)
{
	return ctl_status_print_json_drift(out, conf, view, NULL, NULL);
}

int ctl_status_print_json_drift(FILE *out, const conf_t *conf, const ctl_view_t *view,
				state_t *st, const ctl_drift_t *drift)
{
	ctl_json_t j;
	char alarm[1024];

	ctl_json_init(&j, out);
	ctl_json_object_begin(&j);
	ctl_json_kv_string(&j, "region", conf->region);
	ctl_json_kv_int(&j, "now_ms", view->now_ms);
	ctl_json_kv_uint(&j, "quorum", conf->health.quorum);
	ctl_json_kv_uint(&j, "stale_after_ms", conf->health.stale_after_ms);
	int level = ctl_status_level(conf, view);
	/* drift past replication.drift_grace is a WARNING, as the exit status says */
	if (drift != NULL && ctl_drift_warning(drift) && level < CTL_STATUS_WARNING)
		level = CTL_STATUS_WARNING;
	ctl_json_kv_string(&j, "check", level_name(level));
	ctl_json_kv_bool(&j, "isolated", view->isolated);
	ctl_json_key(&j, "last_peer_contact_ms");
	if (view->peer_contact_ms == 0)
		ctl_json_null(&j);
	else
		ctl_json_int(&j, view->peer_contact_ms);
	ctl_json_kv_uint(&j, "isolated_after_ms", conf->replication.isolated_after_ms);
	ctl_json_kv_uint(&j, "regions", 1 + (unsigned)conf->replication.peer_count);
	ctl_json_kv_string(&j, "isolated_policy", conf->health.isolated ? conf->health.isolated : "hold");
	ctl_json_kv_uint(&j, "hold_ms", conf->health.hold_ms);
	ctl_json_kv_bool(&j, "flap_damping", conf->health.flap_damping);
	ctl_json_key(&j, "alarm");
	if (state_verdict_alarm(view->params, view->verdicts, alarm, sizeof(alarm)))
		ctl_json_string(&j, alarm);
	else
		ctl_json_null(&j);
	ctl_json_key(&j, "datacenters");
	ctl_json_array_begin(&j);
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const state_verdict_t *v = &view->verdicts[i];
		const state_override_t *ovr = ctl_view_override(view, i);

		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "name", conf->datacenters[i].name);
		ctl_json_kv_string(&j, "state", state_dc_state_name(v->effective));
		ctl_json_kv_string(&j, "observed", state_dc_state_name(v->observed));
		ctl_json_kv_bool(&j, "serving", v->serving);
		ctl_json_kv_string(&j, "why", v->why);
		ctl_json_key(&j, "votes");
		ctl_json_object_begin(&j);
		ctl_json_kv_uint(&j, "up", v->votes_up);
		ctl_json_kv_uint(&j, "down", v->votes_down);
		ctl_json_kv_uint(&j, "stale", v->votes_stale);
		ctl_json_kv_uint(&j, "regions", v->regions);
		ctl_json_kv_uint(&j, "quorum", v->quorum);
		ctl_json_object_end(&j);
		json_hold(&j, v, view->memory ? &view->memory[i] : NULL);
		json_addresses(&j, conf, view, i);
		ctl_json_key(&j, "observations");
		ctl_json_array_begin(&j);
		for (size_t k = 0; k < view->obs_count; k++)
			if (observation_is_for(&view->obs[k], conf->datacenters[i].name))
				json_observation(&j, view->params, &view->obs[k], view->now_ms);
		ctl_json_array_end(&j);
		ctl_json_key(&j, "override");
		if (ovr == NULL)
			ctl_json_null(&j);
		else
			json_override(&j, ovr, view->now_ms);
		json_load(&j, conf, view, i);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);
	ctl_json_key(&j, "fail_open");
	ctl_json_array_begin(&j);
	for (size_t r = 0; r < conf->record_count; r++) {
		const conf_record_t *rec = &conf->records[r];

		if (!ctl_view_fails_open(conf, view, r))
			continue;
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "record", rec->name);
		ctl_json_key(&j, "candidates");
		ctl_json_array_begin(&j);
		for (size_t k = 0; k < rec->datacenter_count; k++)
			ctl_json_string(&j, conf->datacenters[rec->datacenters[k]].name);
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);
	json_scheduled(&j, view);
	json_weights(&j, view);
	json_capacity(&j, conf, view);
	if (st != NULL && drift != NULL)
		ctl_drift_json(&j, st, drift);
	ctl_json_object_end(&j);
	return ctl_json_finish(&j);
}

static bool dc_warns(const state_verdict_t *v)
{
	return v->effective == STATE_DC_DOWN || v->effective == STATE_DC_DRAINED ||
	       v->effective == STATE_DC_FORCED_DOWN;
}

/* Checked addresses of a datacenter that answers leave out (address_checks). */
static unsigned addresses_down(const state_verdict_t *v)
{
	return (unsigned)__builtin_popcountll(v->address_checked & ~v->address_serving);
}

int ctl_status_level(const conf_t *conf, const ctl_view_t *view)
{
	int level = CTL_STATUS_OK;
	for (size_t i = 0; i < conf->datacenter_count; i++)
		if (dc_warns(&view->verdicts[i]) || addresses_down(&view->verdicts[i]) > 0)
			level = CTL_STATUS_WARNING; /* an address down: answered, with less room */
	/* Spilled clients beyond the spare capacity: answered, but a survivor is overloaded. */
	if (ctl_view_capacity_short(conf, view, NULL, 0) > 0 && level < CTL_STATUS_WARNING)
		level = CTL_STATUS_WARNING;
	for (size_t r = 0; r < conf->record_count; r++)
		if (ctl_view_fails_open(conf, view, r))
			level = CTL_STATUS_CRITICAL;
	if (view->isolated)
		level = CTL_STATUS_CRITICAL;
	char alarm[1024];
	if (state_verdict_alarm(view->params, view->verdicts, alarm, sizeof(alarm)))
		level = CTL_STATUS_CRITICAL; /* a silent checker or a held verdict */
	return level;
}

static const char *level_name(int level)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	return level >= 0 && level <= 3 ? names[level] : "UNKNOWN";
}

/* The last line of the table: the level and why, as a monitoring plugin says it. */
static void print_level(FILE *out, const conf_t *conf, const ctl_view_t *view, int level,
			bool drifting, const char *alarm)
{
	char span[32], bound[32];
	const char *sep = "";
	fprintf(out, "\n%s:", level_name(level));
	if (level == CTL_STATUS_OK) {
		fprintf(out, " every datacenter serving\n");
		return;
	}
	if (view->isolated) {
		fprintf(out, " region isolated: ");
		if (view->peer_contact_ms == 0)
			fprintf(out, "no peer ever heard from");
		else
			fprintf(out, "no peer heard from for %s",
				timefmt_duration(view->now_ms - view->peer_contact_ms, span,
						 sizeof(span)));
		fprintf(out, " (replication.isolated_after %s)",
			timefmt_duration(conf->replication.isolated_after_ms, bound, sizeof(bound)));
		sep = ";";
	}
	for (size_t r = 0; r < conf->record_count; r++)
		if (ctl_view_fails_open(conf, view, r)) {
			fprintf(out, "%s %s fails open", sep, conf->records[r].name);
			sep = ";";
		}
	for (size_t i = 0; i < conf->datacenter_count; i++)
		if (dc_warns(&view->verdicts[i])) {
			fprintf(out, "%s %s %s", sep, conf->datacenters[i].name,
				ctl_dc_state_label((int)view->verdicts[i].effective));
			sep = ";";
		}
	for (size_t i = 0; i < conf->datacenter_count; i++)
		if (!dc_warns(&view->verdicts[i]) && addresses_down(&view->verdicts[i]) > 0) {
			fprintf(out, "%s %s %u of %zu addresses down", sep, conf->datacenters[i].name,
				addresses_down(&view->verdicts[i]),
				conf->datacenters[i].address_count);
			sep = ";";
		}
	size_t shorts = ctl_view_capacity_short(conf, view, NULL, 0);
	if (shorts > 0) {
		fprintf(out, "%s %zu record%s short of capacity", sep, shorts, shorts == 1 ? "" : "s");
		sep = ";";
	}
	if (drifting) {
		fprintf(out, "%s a region runs another deployment past replication.drift_grace", sep);
		sep = ";";
	}
	/* The alarm has its own line above the table's end; named here only when alone. */
	if (alarm != NULL && sep[0] == '\0')
		fprintf(out, " %s", alarm);
	fputc('\n', out);
}

int ctl_status_run(const ctl_args_t *args, const conf_t *conf)
{
	ctl_view_t view;
	ctl_drift_t drift;
	char alarm[1024];
	bool critical;
	state_t *st;
	int rc;

	st = ctl_state_open(conf, false);
	if (st == NULL)
		return CTL_STATUS_UNKNOWN;
	if (ctl_view_load(st, conf, &view) != 0) {
		state_close(st);
		return CTL_STATUS_UNKNOWN;
	}
	int level = ctl_status_level(conf, &view);
	/* What every region runs: drift past replication.drift_grace is a WARNING (exit 1). */
	ctl_drift_load(st, conf, &drift);
	rc = args->json ? ctl_status_print_json_drift(stdout, conf, &view, st, &drift)
			: ctl_status_print_table(stdout, conf, &view);
	if (!args->json)
		ctl_drift_print_status(stdout, conf, &drift);
	bool drifting = ctl_drift_warning(&drift);
	if (drifting && level < CTL_STATUS_WARNING)
		level = CTL_STATUS_WARNING;
	/* Silence is an alarm: a silent checker or a held verdict is CRITICAL. */
	critical = state_verdict_alarm(view.params, view.verdicts, alarm, sizeof(alarm));
	if (critical)
		level = CTL_STATUS_CRITICAL;
	if (rc == 0 && !args->json)
		print_level(stdout, conf, &view, level, drifting, critical ? alarm : NULL);
	ctl_drift_free(&drift);
	ctl_view_free(&view);
	state_close(st);
	return rc == 0 ? level : CTL_STATUS_UNKNOWN;
}
