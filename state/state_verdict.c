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

int64_t state_observation_age_ms(const state_observation_t *o, int64_t now_ms)
{
	return now_ms - (o->received_ms ? o->received_ms : o->checked_ms);
}

int64_t state_observation_since_ms(const state_observation_t *o)
{
	/* checked - since is a span on the observer's own clock: moved onto ours whole. */
	return o->received_ms ? o->received_ms - (o->checked_ms - o->since_ms) : o->since_ms;
}

bool state_observation_fresh(const state_params_t *params, const state_observation_t *o,
			     int64_t now_ms)
{
	int64_t stale = (int64_t)params->health.stale_after_ms;

	if (stale == 0)
		return true;
	if (state_observation_age_ms(o, now_ms) > stale)
		return false;
	/* The backstop for a row that arrives late (a backlog replayed after a partition
	 * heals): by the observer's clock it must be no older than stale_after plus the skew
	 * replication accepts, so any clock replication accepts passes. */
	return now_ms - o->checked_ms <= stale + (int64_t)params->replication.max_clock_skew_ms;
}

/* Is checker one of the configured regions (this one or a replication peer)? */
static bool region_configured(const state_params_t *params, const char *checker)
{
	if (params->region != NULL && strcmp(params->region, checker) == 0)
		return true;
	for (size_t p = 0; p < params->replication.peer_count; p++)
		if (params->replication.peers[p] != NULL &&
		    strcmp(params->replication.peers[p], checker) == 0)
			return true;
	return false;
}

/* Counts the votes on datacenter name and decides what they alone say: UP, DOWN, or
 * UNKNOWN when they decide nothing (too few fresh votes either way). */
static state_dc_state_t observe_votes(const state_params_t *params, const char *name,
				      const state_observation_t *obs, size_t obs_count,
				      int64_t now_ms, state_verdict_t *v)
{
	const char *down_detail = NULL;
	unsigned fresh, missing, regions = 1 + (unsigned)params->replication.peer_count;
	char detail[STATE_TEXT_MAX + 4] = "";

	for (size_t j = 0; j < obs_count; j++) {
		const state_observation_t *o = &obs[j];

		if (strcmp(o->datacenter, name) != 0 || o->address[0] != '\0')
			continue; /* another datacenter, or one address (state_verdict_addr.c) */
		if (!region_configured(params, o->checker))
			regions++; /* a checker not configured is one more voter */
		if (o->status == STATE_HEALTH_UNKNOWN)
			continue;
		if (!state_observation_fresh(params, o, now_ms)) {
			v->votes_stale++;
			continue;
		}
		if (params->region != NULL && strcmp(o->checker, params->region) == 0)
			v->own_fresh = true;
		if (o->status == STATE_HEALTH_DOWN) {
			v->votes_down++;
			if (!down_detail && o->detail[0])
				down_detail = o->detail;
		} else {
			v->votes_up++;
		}
	}
	fresh = v->votes_up + v->votes_down;
	missing = regions > fresh ? regions - fresh : 0;
	v->regions = regions;
	v->quorum = params->health.quorum ? params->health.quorum : regions / 2 + 1;
	if (down_detail)
		snprintf(detail, sizeof(detail), " (%s)", down_detail);
	if (fresh == 0) {
		if (v->votes_stale)
			why_set(v->why, sizeof(v->why), "no fresh observation (%u stale)",
				v->votes_stale);
		else
			why_set(v->why, sizeof(v->why), "no fresh observation");
		return STATE_DC_UNKNOWN;
	}
	if (v->votes_down >= v->quorum) {
		why_set(v->why, sizeof(v->why), "%u of %u regions say down%s", v->votes_down,
			regions, detail);
		return STATE_DC_DOWN;
	}
	if (v->votes_down + missing < v->quorum) {
		if (v->votes_down == 0)
			why_set(v->why, sizeof(v->why), "%u of %u regions say up", v->votes_up,
				regions);
		else
			why_set(v->why, sizeof(v->why), "%u of %u regions say down, quorum is %u",
				v->votes_down, regions, v->quorum);
		return STATE_DC_UP;
	}
	/* Cut off from enough regions that the missing votes could tip it either way. */
	if (params->health.isolated_alone) {
		bool down = v->votes_down > fresh / 2;

		v->alone = true;
		why_set(v->why, sizeof(v->why),
			"isolated (%u of %u regions without a fresh vote): decided alone, %u of %u"
			" fresh say %s%s",
			missing, regions, down ? v->votes_down : v->votes_up, fresh,
			down ? "down" : "up", down ? detail : "");
		return down ? STATE_DC_DOWN : STATE_DC_UP;
	}
	why_set(v->why, sizeof(v->why),
		"isolated: %u of %u regions say down, %u without a fresh vote, quorum is %u",
		v->votes_down, regions, missing, v->quorum);
	return STATE_DC_UNKNOWN;
}

void state_verdict_compute(const state_params_t *params, const state_observation_t *obs,
			   size_t obs_count, const state_override_t *ovr, size_t ovr_count,
			   int64_t now_ms, state_verdict_t *out)
{
	state_verdict_decide(params, obs, obs_count, ovr, ovr_count, NULL, now_ms, out, NULL);
}

void state_verdict_decide(const state_params_t *params, const state_observation_t *obs,
			  size_t obs_count, const state_override_t *ovr, size_t ovr_count,
			  const state_verdict_memory_t *mem_in, int64_t now_ms,
			  state_verdict_t *out, state_verdict_memory_t *mem_out)
{
	for (size_t i = 0; i < params->datacenter_count; i++) {
		const char *name = params->datacenters[i].name;
		state_verdict_t *v = &out[i];
		const state_override_t *o = NULL;
		state_verdict_memory_t scratch;
		char observed_why[STATE_TEXT_MAX];
		state_dc_state_t raw;

		memset(v, 0, sizeof(*v));
		v->override_index = -1;
		raw = observe_votes(params, name, obs, obs ? obs_count : 0, now_ms, v);
		state_hold_apply(params, raw, mem_in ? &mem_in[i] : NULL, now_ms, v,
				 mem_out ? &mem_out[i] : &scratch);
		v->effective = v->observed;
		for (size_t j = 0; ovr && j < ovr_count; j++) {
			if (strcmp(ovr[j].datacenter, name) != 0 || !state_override_active(&ovr[j], now_ms))
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
		state_verdict_addresses(params, i, obs, obs ? obs_count : 0, o, ovr,
					ovr ? ovr_count : 0, now_ms, v);
	}
}

int state_verdict_fail_open_rank(const state_verdict_t *v)
{
	if (v->serving)
		return 0;
	return v->observed == STATE_DC_DOWN ? 2 : 1;
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
static int check_change(const state_params_t *params, const state_verdict_t *current, size_t dc,
			state_dc_state_t proposed, char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	if (dc >= params->datacenter_count) {
		snprintf(why, whylen, "refused: no datacenter with index %zu", dc);
		return -1;
	}
	if (state_serves(proposed))
		return 0;
	for (size_t r = 0; r < params->record_count; r++) {
		const state_params_record_t *rec = &params->records[r];
		bool involved = false, serving = false;
		size_t off;

		for (size_t k = 0; k < rec->datacenter_count; k++) {
			size_t d = rec->datacenters[k];

			if (d == dc)
				involved = true;
			else if (d < params->datacenter_count && current[d].serving)
				serving = true;
		}
		if (!involved || serving)
			continue;
		/* The others in candidate order, then the one this change would change. */
		off = (size_t)snprintf(why, whylen,
				       "refused: %s would have no serving datacenter (", rec->name);
		for (size_t k = 0; k < rec->datacenter_count; k++) {
			size_t d = rec->datacenters[k];

			if (d == dc || d >= params->datacenter_count || off >= whylen)
				continue;
			off += (size_t)snprintf(why + off, whylen - off, "%s %s, ",
						params->datacenters[d].name,
						refusal_words(current[d].effective));
		}
		if (off < whylen)
			snprintf(why + off, whylen - off, "%s %s)", params->datacenters[dc].name,
				 refusal_words(proposed));
		return -1;
	}
	return 0;
}

int state_verdict_check_override(const state_params_t *params, const state_verdict_t *current,
				 size_t dc, state_override_action_t action, char *why,
				 size_t whylen)
{
	state_dc_state_t proposed = action == STATE_OVERRIDE_DRAIN	  ? STATE_DC_DRAINED
				    : action == STATE_OVERRIDE_FORCE_DOWN ? STATE_DC_FORCED_DOWN
									  : STATE_DC_FORCED_UP;

	return check_change(params, current, dc, proposed, why, whylen);
}

int state_verdict_check_clear(const state_params_t *params, const state_verdict_t *current,
			      size_t dc, char *why, size_t whylen)
{
	/* Without its override a datacenter is what the observations say. */
	state_dc_state_t proposed =
	    dc < params->datacenter_count ? current[dc].observed : STATE_DC_UP;

	return check_change(params, current, dc, proposed, why, whylen);
}

/* Appends the address observations to the datacenters' (*obs grows). */
static int observations_add_addresses(state_t *st, state_observation_t **obs, size_t *count)
{
	state_observation_t *addr = NULL, *all;
	size_t n = 0;

	if (state_address_observations_list(st, &addr, &n) < 0)
		return -1;
	if (n == 0)
		return 0;
	all = realloc(*obs, (*count + n) * sizeof(*all));
	if (all == NULL) {
		free(addr);
		return state_fail(st, "observations: out of memory");
	}
	memcpy(all + *count, addr, n * sizeof(*all));
	free(addr);
	*obs = all;
	*count += n;
	return 0;
}

/* The overrides as they will stand at at_ms, made to read as in effect now (started,
 * no expiry) so the verdict of now's observations takes them; skip_dc's own left out.
 * Compacts ovr in place; returns the count kept. */
static size_t overrides_at(state_override_t *ovr, size_t n, int64_t at_ms, const char *skip_dc)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (!state_override_active(&ovr[i], at_ms) ||
		    (skip_dc != NULL && strcmp(ovr[i].datacenter, skip_dc) == 0))
			continue;
		ovr[kept] = ovr[i];
		ovr[kept].starts_ms = 0;
		ovr[kept].expires_ms = 0;
		kept++;
	}
	return kept;
}

/* Reads observations, overrides and memory in one snapshot and decides. at_ms, when not
 * 0, takes the overrides as they will stand then (overrides_at). */
static int verdict_read(state_t *st, const state_params_t *params, int64_t now_ms, int64_t at_ms,
			const char *skip_dc, state_verdict_t *out, state_verdict_memory_t *was,
			state_verdict_memory_t *mem)
{
	state_observation_t *obs = NULL;
	state_override_t *ovr = NULL;
	size_t obs_count = 0, ovr_count = 0;

	sqlite3 *db = state_db(st);
	bool own_tx = sqlite3_get_autocommit(db) != 0;
	int rc = 0;

	/* All from one snapshot, so an override and the observations it is judged with
	 * come from the same commit. */
	if (own_tx && state_tx_read(st) < 0)
		return -1;
	if (state_observations_list(st, &obs, &obs_count) < 0 ||
	    observations_add_addresses(st, &obs, &obs_count) < 0 ||
	    state_overrides_list(st, &ovr, &ovr_count) < 0 ||
	    state_verdict_memory_load(st, params, was) < 0)
		rc = -1;
	if (own_tx)
		sqlite3_exec(db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (rc == 0 && at_ms != 0)
		ovr_count = overrides_at(ovr, ovr_count, at_ms, skip_dc);
	if (rc == 0)
		state_verdict_decide(params, obs, obs_count, ovr, ovr_count, was, now_ms, out, mem);
	free(obs);
	free(ovr);
	return rc;
}

int state_verdict_load_at(state_t *st, const state_params_t *params, int64_t now_ms, int64_t at_ms,
			  const char *skip_dc, state_verdict_t *out)
{
	size_t n = params->datacenter_count ? params->datacenter_count : 1;
	state_verdict_memory_t *was = calloc(n, sizeof(*was));
	int rc;

	if (was == NULL)
		return state_fail(st, "verdict memory: out of memory");
	rc = verdict_read(st, params, now_ms, at_ms, skip_dc, out, was, NULL);
	free(was);
	return rc;
}

int state_verdict_load(state_t *st, const state_params_t *params, int64_t now_ms,
		       state_verdict_t *out)
{
	size_t n = params->datacenter_count ? params->datacenter_count : 1;
	state_verdict_memory_t *was = calloc(n, sizeof(*was));
	int rc;

	if (was == NULL)
		return state_fail(st, "verdict memory: out of memory");
	rc = verdict_read(st, params, now_ms, 0, NULL, out, was, NULL);
	free(was);
	return rc;
}

int state_verdict_update(state_t *st, const state_params_t *params, int64_t now_ms,
			 state_verdict_t *out, state_verdict_memory_t *mem)
{
	size_t n = params->datacenter_count ? params->datacenter_count : 1;
	state_verdict_memory_t *was = calloc(2 * n, sizeof(*was));
	int rc;

	if (was == NULL)
		return state_fail(st, "verdict memory: out of memory");
	rc = verdict_read(st, params, now_ms, 0, NULL, out, was, was + n);
	/* The verdicts stand even when the memory cannot be saved now (another writer
	 * holds the store past the busy timeout): the next evaluation decides from the
	 * memory as it was, and saves then. */
	if (rc == 0 && state_verdict_memory_save(st, params, was, was + n) < 0)
		rc = 1;
	if (rc >= 0 && mem != NULL && params->datacenter_count)
		memcpy(mem, was + n, params->datacenter_count * sizeof(*mem));
	free(was);
	return rc;
}
