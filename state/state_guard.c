/* SPDX-License-Identifier: MIT */
/* state_guard.c -- override writes judged by the safety rule inside their own transaction */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_guard.h"
#include "state/state_internal.h"
#include "state/state_verdict.h"

/* The judgement and the write share one BEGIN IMMEDIATE transaction: judging first and
 * writing in a second transaction would let another operator's override slip in between,
 * unseen by the check (two drains of the last two datacenters, both "safe"). */

static int datacenter_index(state_t *st, const conf_t *conf, const char *name, size_t *dc)
{
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		if (strcmp(conf->datacenters[i].name, name) == 0) {
			*dc = i;
			return 0;
		}
	}
	return state_fail(st, "no datacenter '%s' in the configuration", name);
}

/* Opens the write transaction and returns the verdicts of this instant (malloc'd). NULL,
 * with nothing left open, on failure. */
static state_verdict_t *guard_begin(state_t *st, const conf_t *conf)
{
	state_verdict_t *verdicts = calloc(conf->datacenter_count + 1, sizeof(*verdicts));

	if (verdicts == NULL) {
		state_fail(st, "verdicts: out of memory");
		return NULL;
	}
	if (state_tx_begin(st) < 0) {
		free(verdicts);
		return NULL;
	}
	if (state_verdict_load(st, conf, state_now_ms(st), verdicts) < 0) {
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

int state_override_put_guarded(state_t *st, const conf_t *conf, const state_override_t *ov,
			       bool force, char *why, size_t whylen)
{
	state_verdict_t *verdicts;
	size_t dc = 0;
	int rc = STATE_GUARD_SAFE;

	if (whylen)
		why[0] = '\0';
	if (datacenter_index(st, conf, ov->datacenter, &dc) < 0 ||
	    (verdicts = guard_begin(st, conf)) == NULL)
		return -1;
	if (state_verdict_check_override(conf, verdicts, dc, ov->action, why, whylen) != 0)
		rc = force ? STATE_GUARD_FORCED : STATE_GUARD_REFUSED;
	/* Forced: still one audit event, the override's own, whose detail names the rule. */
	if (rc != STATE_GUARD_REFUSED && state_override_write_tx(st, ov, forced_rule(rc, why)) < 0)
		rc = -1;
	return guard_end(st, verdicts, rc);
}

int state_override_clear_guarded(state_t *st, const conf_t *conf, const char *datacenter,
				 const char *actor, const char *reason, bool force, char *why,
				 size_t whylen, state_override_t *previous)
{
	state_override_t *ovr = NULL;
	state_verdict_t *verdicts;
	size_t dc = 0, ovr_count = 0;
	int rc = STATE_GUARD_SAFE, live;

	if (whylen)
		why[0] = '\0';
	if (previous != NULL)
		memset(previous, 0, sizeof(*previous));
	if (datacenter_index(st, conf, datacenter, &dc) < 0 ||
	    (verdicts = guard_begin(st, conf)) == NULL)
		return -1;
	/* The verdict names the live override by index into the list it was computed
	 * from; this read is in the same transaction, so the list is the same. */
	live = verdicts[dc].override_index;
	if (live < 0) {
		rc = STATE_GUARD_NOTHING;
	} else if (previous != NULL) {
		if (state_overrides_list(st, &ovr, &ovr_count) < 0)
			rc = -1;
		else if ((size_t)live < ovr_count)
			*previous = ovr[live];
		free(ovr);
	}
	if (rc == STATE_GUARD_SAFE &&
	    state_verdict_check_clear(conf, verdicts, dc, why, whylen) != 0)
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
