/* SPDX-License-Identifier: MIT */
/* state_verdict.c -- effective datacenter state: quorum of fresh observations, overrides, safety */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "state/state_internal.h"
#include "state/state_verdict.h"

/* The verdict is a pure function of config, observations, overrides and the time, so
 * every region computes the same answer from the same replicated inputs and nothing
 * derived is ever replicated. */

static const char *const dc_state_names[] = {
    [STATE_DC_UP] = "up",
    [STATE_DC_UNKNOWN] = "unknown",
    [STATE_DC_DOWN] = "down",
    [STATE_DC_DRAINED] = "drained",
    [STATE_DC_FORCED_DOWN] = "forced-down",
    [STATE_DC_FORCED_UP] = "forced-up",
};

const char *state_dc_state_name(state_dc_state_t s)
{
	return (unsigned)s < M_ARRAY_LEN(dc_state_names) ? dc_state_names[s] : "invalid";
}

/* Sets a why sentence; a long reason truncates it, which is fine for a sentence. */
static void why_set(char *why, size_t len, const char *fmt, ...) M_PRINTF(3, 4);
static void why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static bool state_serves(state_dc_state_t s)
{
	return s == STATE_DC_UP || s == STATE_DC_UNKNOWN || s == STATE_DC_FORCED_UP;
}

static bool override_live(const state_override_t *o, int64_t now_ms)
{
	return !o->deleted && (o->expires_ms == 0 || o->expires_ms > now_ms);
}

int64_t state_observation_age_ms(const state_observation_t *o, int64_t now_ms)
{
	return now_ms - (o->received_ms ? o->received_ms : o->checked_ms);
}

int64_t state_observation_since_ms(const state_observation_t *o)
{
	/* checked - since is a span on the observer's own clock: moved onto ours whole. */
	return o->received_ms ? o->received_ms - (o->checked_ms - o->since_ms) : o->since_ms;
}

bool state_observation_fresh(const conf_t *conf, const state_observation_t *o, int64_t now_ms)
{
	int64_t stale = (int64_t)conf->health.stale_after_ms;

	if (stale == 0)
		return true;
	if (state_observation_age_ms(o, now_ms) > stale)
		return false;
	/* The backstop for a row that arrives late (a backlog replayed after a partition
	 * heals): by the observer's clock it must be no older than stale_after plus the skew
	 * replication accepts, so any clock replication accepts passes. */
	return now_ms - o->checked_ms <= stale + (int64_t)conf->replication.max_clock_skew_ms;
}

static void observe_votes(const conf_t *conf, const char *name, const state_observation_t *obs,
			  size_t obs_count, int64_t now_ms, state_verdict_t *v)
{
	const char *down_detail = NULL;
	unsigned fresh, quorum;

	for (size_t j = 0; j < obs_count; j++) {
		const state_observation_t *o = &obs[j];

		if (strcmp(o->datacenter, name) != 0 || o->status == STATE_HEALTH_UNKNOWN)
			continue;
		if (!state_observation_fresh(conf, o, now_ms)) {
			v->votes_stale++;
		} else if (o->status == STATE_HEALTH_DOWN) {
			v->votes_down++;
			if (!down_detail && o->detail[0])
				down_detail = o->detail;
		} else {
			v->votes_up++;
		}
	}
	fresh = v->votes_up + v->votes_down;
	if (fresh == 0) {
		v->observed = STATE_DC_UNKNOWN;
		if (v->votes_stale)
			why_set(v->why, sizeof(v->why),
				"no fresh observation (%u stale): served (fail open)",
				v->votes_stale);
		else
			why_set(v->why, sizeof(v->why), "no fresh observation: served (fail open)");
		return;
	}
	quorum = conf->health.quorum ? conf->health.quorum : fresh / 2 + 1;
	if (v->votes_down >= quorum) {
		v->observed = STATE_DC_DOWN;
		why_set(v->why, sizeof(v->why), "%u of %u fresh observations say down%s%s%s",
			v->votes_down, fresh, down_detail ? " (" : "",
			down_detail ? down_detail : "", down_detail ? ")" : "");
	} else if (v->votes_down == 0) {
		v->observed = STATE_DC_UP;
		why_set(v->why, sizeof(v->why), "%u of %u fresh observations say up", v->votes_up,
			fresh);
	} else {
		v->observed = STATE_DC_UP;
		why_set(v->why, sizeof(v->why),
			"%u of %u fresh observations say down, quorum is %u", v->votes_down, fresh,
			quorum);
	}
}

void state_verdict_compute(const conf_t *conf, const state_observation_t *obs, size_t obs_count,
			   const state_override_t *ovr, size_t ovr_count, int64_t now_ms,
			   state_verdict_t *out)
{
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const char *name = conf->datacenters[i].name;
		state_verdict_t *v = &out[i];
		const state_override_t *o = NULL;
		char observed_why[STATE_TEXT_MAX];

		memset(v, 0, sizeof(*v));
		v->override_index = -1;
		observe_votes(conf, name, obs ? obs : NULL, obs ? obs_count : 0, now_ms, v);
		v->effective = v->observed;
		for (size_t j = 0; ovr && j < ovr_count; j++) {
			if (strcmp(ovr[j].datacenter, name) != 0 || !override_live(&ovr[j], now_ms))
				continue;
			if (!o || ovr[j].hlc > o->hlc) {
				o = &ovr[j];
				v->override_index = (int)j;
			}
		}
		if (o) {
			static const char *const verbs[] = {"drained", "forced down", "forced up"};
			char left[48];

			v->effective = o->action == STATE_OVERRIDE_DRAIN ? STATE_DC_DRAINED
				       : o->action == STATE_OVERRIDE_FORCE_DOWN
					   ? STATE_DC_FORCED_DOWN
					   : STATE_DC_FORCED_UP;
			memcpy(observed_why, v->why, sizeof(observed_why));
			if (o->expires_ms) {
				char d[24];

				/* Time left rounds up to whole seconds: a live override
				 * never "expires in 0s". */
				timefmt_duration((o->expires_ms - now_ms + 999) / 1000 * 1000, d,
						 sizeof(d));
				snprintf(left, sizeof(left), "expires in %s", d);
			} else {
				snprintf(left, sizeof(left), "no expiry");
			}
			why_set(v->why, sizeof(v->why), "%s by %s: %s (%s; observed %s: %s)",
				verbs[(unsigned)o->action < 3 ? o->action : 0], o->actor, o->reason,
				left, state_dc_state_name(v->observed), observed_why);
		}
		v->serving = state_serves(v->effective);
	}
}

/* How a non-serving datacenter reads in a refusal: "eu-west is down", "us-east drained". */
static const char *refusal_words(state_dc_state_t s)
{
	switch (s) {
	case STATE_DC_DOWN:
		return "is down";
	case STATE_DC_DRAINED:
		return "drained";
	case STATE_DC_FORCED_DOWN:
		return "forced down";
	default:
		return "not serving";
	}
}

/* Refuses when dc becoming `proposed` leaves a record that has dc as a candidate with no
 * serving candidate. Records without dc are not this change's business, even when they
 * already fail open. */
static int check_change(const conf_t *conf, const state_verdict_t *current, size_t dc,
			state_dc_state_t proposed, char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	if (dc >= conf->datacenter_count) {
		snprintf(why, whylen, "refused: no datacenter with index %zu", dc);
		return -1;
	}
	if (state_serves(proposed))
		return 0;
	for (size_t r = 0; r < conf->record_count; r++) {
		const conf_record_t *rec = &conf->records[r];
		bool involved = false, serving = false;
		size_t off;

		for (size_t k = 0; k < rec->datacenter_count; k++) {
			size_t d = rec->datacenters[k];

			if (d == dc)
				involved = true;
			else if (d < conf->datacenter_count && current[d].serving)
				serving = true;
		}
		if (!involved || serving)
			continue;
		/* The others in candidate order, then the one this change would change. */
		off = (size_t)snprintf(why, whylen,
				       "refused: %s would have no serving datacenter (", rec->name);
		for (size_t k = 0; k < rec->datacenter_count; k++) {
			size_t d = rec->datacenters[k];

			if (d == dc || d >= conf->datacenter_count || off >= whylen)
				continue;
			off += (size_t)snprintf(why + off, whylen - off, "%s %s, ",
						conf->datacenters[d].name,
						refusal_words(current[d].effective));
		}
		if (off < whylen)
			snprintf(why + off, whylen - off, "%s %s)", conf->datacenters[dc].name,
				 refusal_words(proposed));
		return -1;
	}
	return 0;
}

int state_verdict_check_override(const conf_t *conf, const state_verdict_t *current, size_t dc,
				 state_override_action_t action, char *why, size_t whylen)
{
	state_dc_state_t proposed = action == STATE_OVERRIDE_DRAIN	  ? STATE_DC_DRAINED
				    : action == STATE_OVERRIDE_FORCE_DOWN ? STATE_DC_FORCED_DOWN
									  : STATE_DC_FORCED_UP;

	return check_change(conf, current, dc, proposed, why, whylen);
}

int state_verdict_check_clear(const conf_t *conf, const state_verdict_t *current, size_t dc,
			      char *why, size_t whylen)
{
	/* Without its override a datacenter is what the observations say. */
	state_dc_state_t proposed =
	    dc < conf->datacenter_count ? current[dc].observed : STATE_DC_UP;

	return check_change(conf, current, dc, proposed, why, whylen);
}

int state_verdict_load(state_t *st, const conf_t *conf, int64_t now_ms, state_verdict_t *out)
{
	state_observation_t *obs = NULL;
	state_override_t *ovr = NULL;
	size_t obs_count = 0, ovr_count = 0;

	sqlite3 *db = state_db(st);
	bool own_tx = sqlite3_get_autocommit(db) != 0;
	int rc = 0;

	/* Both lists from one snapshot, so an override and the observations it is judged
	 * with come from the same commit. */
	if (own_tx && state_tx_read(st) < 0)
		return -1;
	if (state_observations_list(st, &obs, &obs_count) < 0 ||
	    state_overrides_list(st, &ovr, &ovr_count) < 0)
		rc = -1;
	if (own_tx)
		sqlite3_exec(db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (rc < 0) {
		free(obs);
		return -1;
	}
	state_verdict_compute(conf, obs, obs_count, ovr, ovr_count, now_ms, out);
	free(obs);
	free(ovr);
	return 0;
}
