/* SPDX-License-Identifier: MIT */
/* state_guard.h -- override writes judged by the safety rule inside their own transaction */
#ifndef MERIDIAN_STATE_GUARD_H
#define MERIDIAN_STATE_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/compiler.h"
#include "state/state_params.h"
#include "state/state.h"

/* What a guarded write did. The safety rule is the one of state_verdict_check_override
 * and state_verdict_check_clear: no record may be left without a serving candidate. */
typedef enum {
	STATE_GUARD_SAFE = 0, /* written; the rule holds */
	STATE_GUARD_FORCED,   /* written past the rule (force); why names the rule */
	STATE_GUARD_REFUSED,  /* nothing written; why names the record ("refused: ...") */
	STATE_GUARD_NOTHING,  /* clear only: no live override, nothing written */
} state_guard_t;

/* Concurrency: each call is one BEGIN IMMEDIATE transaction that reads the observations
 * and overrides, computes the verdicts at state_now_ms(), judges the change and writes it.
 * Writers serialise on the store, so the verdicts judged are the ones the write lands on:
 * another operator's override committed a moment earlier is seen, and one committed a
 * moment later is judged against ours. */

/* Sets ov (as state_override_put: row, change-log entry, audit event) when the rule allows
 * it, or when force. A scheduled ov (starts_ms after now) is judged over its whole window
 * (at its start and at each start or expiry of another override inside it, with now's
 * observations), and fails (-1) while its datacenter has another override in effect or
 * scheduled, as does an immediate ov while a scheduled one waits: one override per
 * datacenter, and neither may silently cancel the other. A forced write is still one audit event,
 * the override's own, whose detail then ends "; forced past the safety rule: <rule>".
 * ov->datacenter must be one of params' datacenters. Returns a state_guard_t (never NOTHING), or -1
 * with state_errmsg(); why is "" when the rule holds. */
int state_override_put_guarded(state_t *st, const state_params_t *params,
			       const state_override_t *ov, bool force, char *why, size_t whylen)
    M_NONNULL(1, 2, 3, 5) M_WUR;

/* Judges ov exactly as state_override_put_guarded() would (the conflict of one override
 * per datacenter, the rule now or over a scheduled window), in a read transaction, and
 * writes nothing: meridianctl --plan. st may be read-only. 0 allowed; 1 refused by the
 * rule (why: "refused: ..."); -1 on a conflict or failure (state_errmsg). */
int state_override_judge(state_t *st, const state_params_t *params, const state_override_t *ov,
			 char *why, size_t whylen) M_NONNULL(1, 2, 3, 4) M_WUR;

/* Clears datacenter's live override (as state_override_clear) when the rule allows what
 * the datacenter becomes without it (its observed state), or when force. A scheduled
 * override not yet started is cancelled without judgement (it changes nothing now) (its one
 * "clear" event's detail then naming the rule as above). *previous, when not NULL, receives the override cleared (or
 * refused to clear). Returns a state_guard_t, or -1 with state_errmsg(). */
int state_override_clear_guarded(state_t *st, const state_params_t *params, const char *datacenter,
				 const char *actor, const char *reason, bool force, char *why,
				 size_t whylen, state_override_t *previous)
    M_NONNULL(1, 2, 3, 4, 5, 7) M_WUR;

#endif
