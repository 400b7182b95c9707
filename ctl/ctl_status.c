/* SPDX-License-Identifier: MIT */
/* ctl_status.c -- `meridianctl status`: effective state, observations, overrides, fail-open */
#include "config.h"

#include <string.h>

#include "ctl/ctl_drift.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_status.h"

const char *ctl_status_observation_text(const conf_t *conf, const state_observation_t *obs,
					int64_t now_ms, char *buf, size_t len)
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
	if (!state_observation_fresh(conf, obs, now_ms) && used < len)
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

static bool observation_is_for(const state_observation_t *obs, const char *datacenter)
{
	return strcmp(obs->datacenter, datacenter) == 0;
}

int ctl_status_print_table(FILE *out, const conf_t *conf, const ctl_view_t *view)
{
	ctl_table_t table;
	char now[32];
	bool any_fail_open = false;
	int rc;

	char quorum[32], stale[32];

	/* How the votes count, so DOWN and (stale) read without opening the config. */
	if (conf->health.quorum == 0)
		snprintf(quorum, sizeof(quorum), "a majority");
	else
		snprintf(quorum, sizeof(quorum), "%u", conf->health.quorum);
	fprintf(out,
		"region %s, %s; down takes %s of the fresh observations, stale after %s;"
		" ages by this region's clock\n\n",
		conf->region, timefmt_iso(view->now_ms, now, sizeof(now)), quorum,
		timefmt_duration(conf->health.stale_after_ms, stale, sizeof(stale)));
	ctl_table_init(&table, 4);
	ctl_table_row(&table, (const char *const[]){"DATACENTER", "STATE", "OBSERVED", "OVERRIDE"});
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const char *name = conf->datacenters[i].name;
		const state_verdict_t *v = &view->verdicts[i];
		const state_override_t *ovr = ctl_view_override(view, i);
		char ovr_text[3 * STATE_TEXT_MAX];
		char obs_text[2 * STATE_TEXT_MAX];
		char state_text[48];
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
		for (size_t k = 0; k < view->obs_count; k++) {
			if (!observation_is_for(&view->obs[k], name))
				continue;
			ctl_status_observation_text(conf, &view->obs[k], view->now_ms,
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
	ctl_json_kv_int(j, "expires_ms", ovr->expires_ms);
	ctl_json_key(j, "remaining_ms");
	if (ovr->expires_ms == 0)
		ctl_json_null(j);
	else
		ctl_json_int(j, ovr->expires_ms - now_ms);
	ctl_json_object_end(j);
}

static void json_observation(ctl_json_t *j, const conf_t *conf, const state_observation_t *obs,
			     int64_t now_ms)
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
	ctl_json_kv_bool(j, "stale", !state_observation_fresh(conf, obs, now_ms));
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

	ctl_json_init(&j, out);
	ctl_json_object_begin(&j);
	ctl_json_kv_string(&j, "region", conf->region);
	ctl_json_kv_int(&j, "now_ms", view->now_ms);
	ctl_json_kv_uint(&j, "quorum", conf->health.quorum);
	ctl_json_kv_uint(&j, "stale_after_ms", conf->health.stale_after_ms);
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
		ctl_json_object_end(&j);
		ctl_json_key(&j, "observations");
		ctl_json_array_begin(&j);
		for (size_t k = 0; k < view->obs_count; k++)
			if (observation_is_for(&view->obs[k], conf->datacenters[i].name))
				json_observation(&j, conf, &view->obs[k], view->now_ms);
		ctl_json_array_end(&j);
		ctl_json_key(&j, "override");
		if (ovr == NULL)
			ctl_json_null(&j);
		else
			json_override(&j, ovr, view->now_ms);
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
	if (st != NULL && drift != NULL)
		ctl_drift_json(&j, st, drift);
	ctl_json_object_end(&j);
	return ctl_json_finish(&j);
}

int ctl_status_run(const ctl_args_t *args, const conf_t *conf)
{
	ctl_view_t view;
	ctl_drift_t drift;
	state_t *st;
	int rc;

	st = ctl_state_open(conf, false);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	if (ctl_view_load(st, conf, &view) != 0) {
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	/* What every region runs: drift past replication.drift_grace is a WARNING (exit 1). */
	ctl_drift_load(st, conf, &drift);
	rc = args->json ? ctl_status_print_json_drift(stdout, conf, &view, st, &drift)
			: ctl_status_print_table(stdout, conf, &view);
	if (!args->json)
		ctl_drift_print_status(stdout, conf, &drift);
	if (rc == 0 && ctl_drift_warning(&drift))
		rc = 1;
	ctl_drift_free(&drift);
	ctl_view_free(&view);
	state_close(st);
	return rc == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}
