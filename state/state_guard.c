/* SPDX-License-Identifier: MIT */
/* state_guard.c -- override writes judged by the safety rule inside their own transaction */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "state/state_guard.h"
#include "state/state_internal.h"
#include "state/state_verdict.h"

/* The judgement and the write share one BEGIN IMMEDIATE transaction: judging first and
 * writing in a second transaction would let another operator's override slip in between,
 * unseen by the check (two drains of the last two datacenters, both "safe"). */

static int datacenter_index(state_t *st, const state_params_t *params, const char *name, size_t *dc)
{
	for (size_t i = 0; i < params->datacenter_count; i++) {
		if (strcmp(params->datacenters[i].name, name) == 0) {
			*dc = i;
			return 0;
		}
	}
	return state_fail(st, "no datacenter '%s' in the configuration", name);
}

/* Opens the write transaction and returns the verdicts of this instant (malloc'd). NULL,
 * with nothing left open, on failure. */
static state_verdict_t *guard_begin(state_t *st, const state_params_t *params)
{
	state_verdict_t *verdicts = calloc(params->datacenter_count + 1, sizeof(*verdicts));

	if (verdicts == NULL) {
		state_fail(st, "verdicts: out of memory");
		return NULL;
	}
	if (state_tx_begin(st) < 0) {
		free(verdicts);
		return NULL;
	}
	if (state_verdict_load(st, params, state_now_ms(st), verdicts) < 0) {
		state_tx_rollback(st);
		free(verdicts);
		return NULL;
	}
	return verdicts;
}

/* The rule a forced write went past, as the audit event records it: without the
 * "refused: " prefix of the judgement (it was not refused). NULL when not forced. */
static const char *forced_rule(int rc, const char *why)
{
	if (rc != STATE_GUARD_FORCED)
		return NULL;
	return strncmp(why, "refused: ", 9) == 0 ? why + 9 : why;
}

/* Ends the transaction after the judgement: rc is the outcome so far (-1 rolls back,
 * REFUSED and NOTHING roll back as nothing was written, others commit). */
static int guard_end(state_t *st, state_verdict_t *verdicts, int rc)
{
	free(verdicts);
	if (rc < 0 || rc == STATE_GUARD_REFUSED || rc == STATE_GUARD_NOTHING) {
		state_tx_rollback(st);
		return rc;
	}
	return state_tx_commit(st) < 0 ? -1 : rc;
}

/* A datacenter holds one override at a time (the row's key is the datacenter), so a
 * scheduled override and any other override of the same datacenter do not mix: writing
 * one over the other would silently cancel a maintenance window, or end a drain in
 * effect now long before its window. An immediate override over an immediate one
 * replaces it, as it always has. Fails (state_errmsg) on a conflict. */
static int conflict_check(state_t *st, const state_override_t *ov, int64_t now)
{
	state_override_t *ovr = NULL;
	size_t n = 0;
	int rc = 0;

	if (state_overrides_list(st, &ovr, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const state_override_t *o = &ovr[i];
		char at[32];

		if (strcmp(o->datacenter, ov->datacenter) != 0)
			continue;
		if (state_override_pending(o, now))
			rc = state_fail(st,
					"%s has a %s by %s scheduled from %s; a datacenter holds one "
					"override at a time: clear it first (meridianctl clear %s)",
					o->datacenter, state_override_action_name(o->action),
					o->actor, timefmt_iso(o->starts_ms, at, sizeof(at)),
					o->datacenter);
		else if (ov->starts_ms > now && state_override_active(o, now))
			rc = state_fail(st,
					"%s has a %s by %s in effect now; a datacenter holds one "
					"override at a time: clear it first (meridianctl clear %s)",
					o->datacenter, state_override_action_name(o->action),
					o->actor, o->datacenter);
	}
	free(ovr);
	return rc;
}

/* Judges ov at one instant at of its window: now's observations with the overrides that
 * will stand then. 0 when the rule holds; 1 with why (naming the instant) when not. */
static int window_check_at(state_t *st, const state_params_t *params, const state_override_t *ov,
			   size_t dc, int64_t now, int64_t at, state_verdict_t *verdicts, char *why,
			   size_t whylen)
{
	char rule[STATE_TEXT_MAX], when[32];

	if (state_verdict_load_at(st, params, now, at, ov->datacenter, verdicts) < 0)
		return -1;
	if (state_verdict_check_override(params, verdicts, dc, ov->action, rule, sizeof(rule)) == 0)
		return 0;
	snprintf(why, whylen, "refused: from %s (in the scheduled window), %s",
		 timefmt_iso(at, when, sizeof(when)),
		 strncmp(rule, "refused: ", 9) == 0 ? rule + 9 : rule);
	return 1;
}

/* The safety rule over a scheduled override's whole window [starts, expires): judged at
 * its start and again at each start or expiry of another datacenter's override inside
 * the window, the only instants at which what the others are changes. Observations are
 * now's: the future's are unknown, and dnsd judges the window afresh as it comes. */
static int window_check(state_t *st, const state_params_t *params, const state_override_t *ov,
			size_t dc, int64_t now, state_verdict_t *verdicts, char *why, size_t whylen)
{
	int64_t end = ov->expires_ms != 0 ? ov->expires_ms : INT64_MAX;
	state_override_t *ovr = NULL;
	size_t n = 0;
	int rc;

	rc = window_check_at(st, params, ov, dc, now, ov->starts_ms, verdicts, why, whylen);
	if (rc != 0)
		return rc;
	if (state_overrides_list(st, &ovr, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const state_override_t *o = &ovr[i];

		if (o->deleted || strcmp(o->datacenter, ov->datacenter) == 0)
			continue;
		if (o->starts_ms > ov->starts_ms && o->starts_ms < end)
			rc = window_check_at(st, params, ov, dc, now, o->starts_ms, verdicts, why,
					     whylen);
		if (rc == 0 && o->expires_ms > ov->starts_ms && o->expires_ms < end)
			rc = window_check_at(st, params, ov, dc, now, o->expires_ms, verdicts, why,
					     whylen);
	}
	free(ovr);
	return rc;
}

/* The judgement of ov inside the caller's transaction, verdicts those of now: -1 on a
 * conflict or failure (state_errmsg), 1 refused by the rule (why), 0 allowed. */
static int judge(state_t *st, const state_params_t *params, const state_override_t *ov, size_t dc,
		 state_verdict_t *verdicts, char *why, size_t whylen)
{
	int64_t now = state_now_ms(st);

	if (conflict_check(st, ov, now) < 0)
		return -1;
	if (ov->starts_ms > now)
		return window_check(st, params, ov, dc, now, verdicts, why, whylen);
	return state_verdict_check_override(params, verdicts, dc, ov->action, why, whylen) != 0;
}

int state_override_judge(state_t *st, const state_params_t *params, const state_override_t *ov,
			 char *why, size_t whylen)
{
	state_verdict_t *verdicts = calloc(params->datacenter_count + 1, sizeof(*verdicts));
	size_t dc = 0;
	int rc;

	if (whylen)
		why[0] = '\0';
	if (verdicts == NULL)
		return state_fail(st, "verdicts: out of memory");
	if (datacenter_index(st, params, ov->datacenter, &dc) < 0 || state_tx_read(st) < 0) {
		free(verdicts);
		return -1;
	}
	rc = state_verdict_load(st, params, state_now_ms(st), verdicts) < 0
		 ? -1
		 : judge(st, params, ov, dc, verdicts, why, whylen);
	state_tx_rollback(st);
	free(verdicts);
	return rc;
}

int state_override_put_guarded(state_t *st, const state_params_t *params,
			       const state_override_t *ov, bool force, char *why, size_t whylen)
{
	state_verdict_t *verdicts;
	size_t dc = 0;
	int rc = STATE_GUARD_SAFE, judged;

	if (whylen)
		why[0] = '\0';
	if (datacenter_index(st, params, ov->datacenter, &dc) < 0 ||
	    (verdicts = guard_begin(st, params)) == NULL)
		return -1;
	judged = judge(st, params, ov, dc, verdicts, why, whylen);
	if (judged < 0)
		return guard_end(st, verdicts, -1);
	if (judged != 0)
		rc = force ? STATE_GUARD_FORCED : STATE_GUARD_REFUSED;
	/* Forced: still one audit event, the override's own, whose detail names the rule. */
	if (rc != STATE_GUARD_REFUSED && state_override_write_tx(st, ov, forced_rule(rc, why)) < 0)
		rc = -1;
	return guard_end(st, verdicts, rc);
}

int state_override_clear_guarded(state_t *st, const state_params_t *params, const char *datacenter,
				 const char *actor, const char *reason, bool force, char *why,
				 size_t whylen, state_override_t *previous)
{
	state_override_t *ovr = NULL;
	state_verdict_t *verdicts;
	size_t dc = 0, ovr_count = 0;
	int rc = STATE_GUARD_SAFE, live;
	bool pending = false;

	if (whylen)
		why[0] = '\0';
	if (previous != NULL)
		memset(previous, 0, sizeof(*previous));
	if (datacenter_index(st, params, datacenter, &dc) < 0 ||
	    (verdicts = guard_begin(st, params)) == NULL)
		return -1;
	/* The verdict names the live override by index into the list it was computed
	 * from; this read is in the same transaction, so the list is the same. */
	live = verdicts[dc].override_index;
	if (state_overrides_list(st, &ovr, &ovr_count) < 0)
		rc = -1;
	/* A scheduled override is cancelled without judgement: it changes nothing now,
	 * and the window it would have covered returns to what was there before. */
	for (size_t i = 0; rc == STATE_GUARD_SAFE && live < 0 && i < ovr_count; i++)
		if (strcmp(ovr[i].datacenter, datacenter) == 0 &&
		    state_override_pending(&ovr[i], state_now_ms(st))) {
			pending = true;
			if (previous != NULL)
				*previous = ovr[i];
		}
	if (rc == STATE_GUARD_SAFE && live < 0 && !pending)
		rc = STATE_GUARD_NOTHING;
	else if (rc == STATE_GUARD_SAFE && live >= 0 && previous != NULL &&
		 (size_t)live < ovr_count)
		*previous = ovr[live];
	free(ovr);
	if (rc == STATE_GUARD_SAFE && !pending &&
	    state_verdict_check_clear(params, verdicts, dc, why, whylen) != 0)
		rc = force ? STATE_GUARD_FORCED : STATE_GUARD_REFUSED;
	if (rc == STATE_GUARD_SAFE || rc == STATE_GUARD_FORCED) {
		/* 1 cannot happen (the verdict saw a live override in this transaction);
		 * treat it as nothing to clear all the same. */
		int cleared = state_override_tombstone_tx(st, datacenter, actor, reason,
							  forced_rule(rc, why));

		if (cleared < 0)
			rc = -1;
		else if (cleared > 0)
			rc = STATE_GUARD_NOTHING;
	}
	return guard_end(st, verdicts, rc);
}
