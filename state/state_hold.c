/* SPDX-License-Identifier: MIT */
/* state_hold.c -- this region's verdict memory: held verdicts, flap damping, the alarm */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "state/state_internal.h"
#include "state/state_verdict.h"

/* Who writes, who reads: meridian-dnsd decides every evaluation with the memory it read
 * and saves what changed (state_verdict_update); meridianctl decides with the same
 * memory without saving (state_verdict_load), so it shows what dnsd answers with. The
 * memory changes only at a decided transition, at the start and the end of an undecided
 * spell, and when damping releases a datacenter: rare writes, one small row each. */

static const char *const hold_names[] = {
    [STATE_HOLD_NONE] = "none",
    [STATE_HOLD_SILENT] = "silent",
    [STATE_HOLD_ISOLATED] = "isolated",
    [STATE_HOLD_EXPIRED] = "expired",
};

const char *state_hold_name(state_hold_t h)
{
	return (unsigned)h < M_ARRAY_LEN(hold_names) ? hold_names[h] : "invalid";
}

double state_verdict_penalty(const state_params_t *params, const state_verdict_memory_t *m,
			     int64_t now_ms)
{
	int64_t elapsed = now_ms - m->penalty_ms;
	double half = params->health.flap_half_life_ms ? params->health.flap_half_life_ms : 60000;

	if (m->penalty <= 0)
		return 0;
	if (elapsed <= 0)
		return m->penalty;
	return m->penalty * exp2(-(double)elapsed / half);
}

/* The ceiling of the penalty: from it, the decay reaches reuse in flap_max_hold. */
static double penalty_ceiling(const state_params_t *params)
{
	double half = params->health.flap_half_life_ms ? params->health.flap_half_life_ms : 60000;

	return params->health.flap_reuse * exp2((double)params->health.flap_max_hold_ms / half);
}

/* Puts fmt before what why said (bounded): "held down, 4m10s left before fail open: " +
 * the votes' own why. */
static void why_wrap(char *why, size_t len, const char *fmt, ...) M_PRINTF(3, 4);
static void why_wrap(char *why, size_t len, const char *fmt, ...)
{
	char votes[STATE_TEXT_MAX];
	va_list ap;
	int n;

	memcpy(votes, why, sizeof(votes));
	va_start(ap, fmt);
	n = vsnprintf(why, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		snprintf(why + n, len - (size_t)n, "%s", votes);
}

/* Has the memory a decided state (a zeroed memory has none)? */
static bool has_decided(const state_verdict_memory_t *m)
{
	return m->decided_ms != 0 && (m->decided == STATE_DC_UP || m->decided == STATE_DC_DOWN);
}

/* A decided state: counts a transition and raises the flap penalty. Nothing decided
 * before reads as up: a datacenter starts served, so its first "down" is a change of
 * the answers like any other. */
static void decided(const state_params_t *params, state_dc_state_t raw, int64_t now_ms,
		    state_verdict_memory_t *m)
{
	state_dc_state_t was = has_decided(m) ? m->decided : STATE_DC_UP;

	m->undecided_ms = 0;
	m->expired = false;
	if (has_decided(m) && m->decided == raw)
		return;
	if (was != raw) {
		m->transitions++;
		if (params->health.flap_damping) {
			double p =
			    state_verdict_penalty(params, m, now_ms) + params->health.flap_penalty;
			double cap = penalty_ceiling(params);

			m->penalty = p < cap ? p : cap;
			m->penalty_ms = now_ms;
			if (!m->suppressed && m->penalty > params->health.flap_suppress) {
				m->suppressed = true;
				m->suppressions++;
			}
		}
	}
	m->decided = raw;
	m->decided_ms = now_ms;
}

/* Nothing decided now: hold the last decided state for at most health.hold. */
static void undecided(const state_params_t *params, int64_t now_ms, state_verdict_t *v,
		      state_verdict_memory_t *m)
{
	bool silent = v->votes_up + v->votes_down == 0;
	int64_t held;
	char span[32];

	if (!has_decided(m)) {
		/* Nothing decided yet to hold: served (fail open). */
		v->observed = STATE_DC_UNKNOWN;
		snprintf(v->why + strlen(v->why), sizeof(v->why) - strlen(v->why),
			 ": served (fail open)");
		return;
	}
	if (m->undecided_ms == 0) {
		m->undecided_ms = now_ms;
		m->expired = false;
		m->holds++;
		if (!silent)
			m->isolated++;
	}
	held = now_ms - m->undecided_ms;
	if (held < 0)
		held = 0;
	if (held < (int64_t)params->health.hold_ms) {
		v->observed = m->decided;
		v->hold = silent ? STATE_HOLD_SILENT : STATE_HOLD_ISOLATED;
		v->hold_left_ms = (int64_t)params->health.hold_ms - held;
		/* Whole seconds, rounded up: a held verdict never has "0s left". */
		timefmt_duration((v->hold_left_ms + 999) / 1000 * 1000, span, sizeof(span));
		why_wrap(v->why, sizeof(v->why), "held %s, %s left before fail open: ",
			 state_dc_state_name(m->decided), span);
		return;
	}
	if (!m->expired) {
		m->expired = true;
		m->expiries++;
	}
	v->observed = STATE_DC_UNKNOWN;
	v->hold = STATE_HOLD_EXPIRED;
	timefmt_duration(params->health.hold_ms, span, sizeof(span));
	why_wrap(v->why, sizeof(v->why), "held %s for %s, then served (fail open): ",
		 state_dc_state_name(m->decided), span);
}

void state_hold_apply(const state_params_t *params, int raw, const state_verdict_memory_t *in,
		      int64_t now_ms, state_verdict_t *v, state_verdict_memory_t *out)
{
	state_verdict_memory_t m;

	if (in != NULL)
		m = *in;
	else
		memset(&m, 0, sizeof(m));
	if (raw == STATE_DC_UP || raw == STATE_DC_DOWN) {
		decided(params, (state_dc_state_t)raw, now_ms, &m);
		v->observed = (state_dc_state_t)raw;
	} else {
		undecided(params, now_ms, v, &m);
	}
	v->penalty = state_verdict_penalty(params, &m, now_ms);
	if (m.suppressed &&
	    (!params->health.flap_damping || v->penalty < params->health.flap_reuse))
		m.suppressed = false; /* released: the penalty decayed below reuse */
	if (m.suppressed) {
		double half = params->health.flap_half_life_ms;
		char span[32];

		v->damped = true;
		v->reuse_ms = (int64_t)ceil(half * log2(v->penalty / params->health.flap_reuse));
		timefmt_duration((v->reuse_ms + 999) / 1000 * 1000, span, sizeof(span));
		why_wrap(v->why, sizeof(v->why), "held down: flapping, reuse in %s (penalty %.0f; ",
			 span, v->penalty);
		snprintf(v->why + strlen(v->why), sizeof(v->why) - strlen(v->why), ")");
		v->observed = STATE_DC_DOWN;
	}
	*out = m;
}

const char *state_verdict_hold_text(const state_verdict_t *v, char *buf, size_t len)
{
	char span[32];

	if (len)
		buf[0] = '\0';
	if (v->damped)
		snprintf(buf, len, "held down: flapping, reuse in %s",
			 timefmt_duration((v->reuse_ms + 999) / 1000 * 1000, span, sizeof(span)));
	else if (v->hold == STATE_HOLD_SILENT || v->hold == STATE_HOLD_ISOLATED)
		snprintf(buf, len, "held: %s, %s left", state_hold_name(v->hold),
			 timefmt_duration((v->hold_left_ms + 999) / 1000 * 1000, span,
					  sizeof(span)));
	else if (v->hold == STATE_HOLD_EXPIRED)
		snprintf(buf, len, "hold ran out: fail open");
	else if (v->alone)
		snprintf(buf, len, "isolated: decided alone");
	return buf;
}

bool state_verdict_alarm(const state_params_t *params, const state_verdict_t *v, char *why,
			 size_t whylen)
{
	size_t used = 0;
	bool checks = false, own = false;

	if (whylen)
		why[0] = '\0';
	for (size_t i = 0; i < params->datacenter_count; i++) {
		if (params->datacenters[i].check_count > 0) {
			checks = true;
			own = own || v[i].own_fresh;
		}
	}
	if (checks && !own && used < whylen)
		used += (size_t)snprintf(why + used, whylen - used,
					 "this region's checker is silent (no fresh observation)");
	for (size_t i = 0; i < params->datacenter_count && used < whylen; i++) {
		char span[32];

		if (v[i].hold == STATE_HOLD_NONE)
			continue;
		if (v[i].hold == STATE_HOLD_EXPIRED)
			used += (size_t)snprintf(why + used, whylen - used,
						 "%s%s: hold ran out, served (fail open)",
						 used ? "; " : "", params->datacenters[i].name);
		else
			used += (size_t)snprintf(
			    why + used, whylen - used, "%s%s held %s (%s, %s left)",
			    used ? "; " : "", params->datacenters[i].name,
			    state_dc_state_name(v[i].observed), state_hold_name(v[i].hold),
			    timefmt_duration((v[i].hold_left_ms + 999) / 1000 * 1000, span,
					     sizeof(span)));
	}
	return used > 0;
}

/* ---- the verdict_memory table ---- */

int state_verdict_memory_load(state_t *st, const state_params_t *params,
			      state_verdict_memory_t *out)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, params->datacenter_count * sizeof(*out));
	stmt = state_prepare(st, "SELECT datacenter, decided, decided_at, undecided_since, expired,"
				 " penalty, penalty_at, suppressed, transitions, holds, isolated,"
				 " expiries, suppressions FROM verdict_memory");
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		const char *decided_text = (const char *)sqlite3_column_text(stmt, 1);
		state_verdict_memory_t *m = NULL;

		for (size_t i = 0; name && i < params->datacenter_count; i++)
			if (strcmp(params->datacenters[i].name, name) == 0)
				m = &out[i];
		if (m == NULL)
			continue; /* a datacenter no longer configured */
		m->decided = decided_text && strcmp(decided_text, "up") == 0	 ? STATE_DC_UP
			     : decided_text && strcmp(decided_text, "down") == 0 ? STATE_DC_DOWN
										 : STATE_DC_UNKNOWN;
		m->decided_ms = sqlite3_column_int64(stmt, 2);
		m->undecided_ms = sqlite3_column_int64(stmt, 3);
		m->expired = sqlite3_column_int(stmt, 4) != 0;
		m->penalty = sqlite3_column_double(stmt, 5);
		m->penalty_ms = sqlite3_column_int64(stmt, 6);
		m->suppressed = sqlite3_column_int(stmt, 7) != 0;
		m->transitions = (uint64_t)sqlite3_column_int64(stmt, 8);
		m->holds = (uint64_t)sqlite3_column_int64(stmt, 9);
		m->isolated = (uint64_t)sqlite3_column_int64(stmt, 10);
		m->expiries = (uint64_t)sqlite3_column_int64(stmt, 11);
		m->suppressions = (uint64_t)sqlite3_column_int64(stmt, 12);
	}
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "verdict memory");
}

static bool memory_same(const state_verdict_memory_t *a, const state_verdict_memory_t *b)
{
	return a->decided == b->decided && a->decided_ms == b->decided_ms &&
	       a->undecided_ms == b->undecided_ms && a->expired == b->expired &&
	       a->penalty == b->penalty && a->penalty_ms == b->penalty_ms &&
	       a->suppressed == b->suppressed && a->transitions == b->transitions &&
	       a->holds == b->holds && a->isolated == b->isolated && a->expiries == b->expiries &&
	       a->suppressions == b->suppressions;
}

int state_verdict_memory_save(state_t *st, const state_params_t *params,
			      const state_verdict_memory_t *was, const state_verdict_memory_t *mem)
{
	bool own_tx = sqlite3_get_autocommit(state_db(st)) != 0, begun = false;

	for (size_t i = 0; i < params->datacenter_count; i++) {
		const state_verdict_memory_t *m = &mem[i];
		sqlite3_stmt *stmt;
		int rc;

		if (was != NULL && memory_same(&was[i], m))
			continue;
		if (own_tx && !begun) {
			if (state_tx_begin(st) < 0)
				return -1;
			begun = true;
		}
		stmt = state_prepare(
		    st, "INSERT INTO verdict_memory (datacenter, decided, decided_at, undecided_since,"
			" expired, penalty, penalty_at, suppressed, transitions, holds, isolated,"
			" expiries, suppressions, updated)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
			" ON CONFLICT (datacenter) DO UPDATE SET decided = excluded.decided,"
			" decided_at = excluded.decided_at, undecided_since = excluded.undecided_since,"
			" expired = excluded.expired, penalty = excluded.penalty,"
			" penalty_at = excluded.penalty_at, suppressed = excluded.suppressed,"
			" transitions = excluded.transitions, holds = excluded.holds,"
			" isolated = excluded.isolated, expiries = excluded.expiries,"
			" suppressions = excluded.suppressions, updated = excluded.updated");
		if (!stmt)
			goto fail;
		sqlite3_bind_text(stmt, 1, params->datacenters[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2,
				  !has_decided(m)		? "unknown"
				  : m->decided == STATE_DC_UP ? "up"
							      : "down",
				  -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, m->decided_ms);
		sqlite3_bind_int64(stmt, 4, m->undecided_ms);
		sqlite3_bind_int(stmt, 5, m->expired);
		sqlite3_bind_double(stmt, 6, m->penalty);
		sqlite3_bind_int64(stmt, 7, m->penalty_ms);
		sqlite3_bind_int(stmt, 8, m->suppressed);
		sqlite3_bind_int64(stmt, 9, (int64_t)m->transitions);
		sqlite3_bind_int64(stmt, 10, (int64_t)m->holds);
		sqlite3_bind_int64(stmt, 11, (int64_t)m->isolated);
		sqlite3_bind_int64(stmt, 12, (int64_t)m->expiries);
		sqlite3_bind_int64(stmt, 13, (int64_t)m->suppressions);
		sqlite3_bind_int64(stmt, 14, state_now_ms(st));
		rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE) {
			state_fail_sql(st, "verdict memory");
			goto fail;
		}
	}
	return begun ? state_tx_commit(st) : 0;
fail:
	if (begun)
		state_tx_rollback(st);
	return -1;
}
