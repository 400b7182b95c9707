/* SPDX-License-Identifier: MIT */
/* state_verdict.h -- effective datacenter state from config, observations and overrides */
#ifndef MERIDIAN_STATE_VERDICT_H
#define MERIDIAN_STATE_VERDICT_H

#include "conf/conf.h"
#include "state/state.h"

/* What a datacenter effectively is. Serving: UP, FORCED_UP, UNKNOWN. */
typedef enum {
	STATE_DC_UP = 0,       /* a quorum of fresh observations does not say down */
	STATE_DC_UNKNOWN,      /* no fresh observation at all: served (fail open) */
	STATE_DC_DOWN,         /* a quorum of fresh observations says down */
	STATE_DC_DRAINED,      /* operator drain */
	STATE_DC_FORCED_DOWN,  /* operator force-down */
	STATE_DC_FORCED_UP,    /* operator force-up, whatever observations say */
} state_dc_state_t;
const char *state_dc_state_name(state_dc_state_t s) M_CONST;

/* The verdict on one datacenter. */
typedef struct {
	state_dc_state_t effective;   /* what answers use */
	state_dc_state_t observed;    /* UP, DOWN or UNKNOWN from observations alone */
	bool serving;                 /* effective is UP, UNKNOWN or FORCED_UP */
	unsigned votes_down;          /* fresh observations saying down */
	unsigned votes_up;            /* fresh observations saying up */
	unsigned votes_stale;         /* observations too old to vote */
	int override_index;           /* index into the overrides passed in, or -1 */
	char why[STATE_TEXT_MAX];     /* "2 of 3 fresh observations say down (HTTP 503)" */
} state_verdict_t;

/* Freshness never depends on two regions' clocks agreeing. An observation votes while
 * (a) this region stored it (state_observation_put, or applied it from a peer) at most
 * health.stale_after ago by this region's clock, and (b) its own checked time is at most
 * stale_after + replication.max_clock_skew old, the backstop against a backlog replayed
 * late. A region whose clock is off by any skew replication accepts keeps voting for as
 * long as its heartbeats (every stale_after / 3) arrive. stale_after 0: always fresh. */
bool state_observation_fresh(const conf_t *conf, const state_observation_t *o, int64_t now_ms)
    M_NONNULL_ALL M_PURE;
/* How old the observation is as this region sees it: now minus when it was stored here
 * (checked_ms when that is unknown), ms. */
int64_t state_observation_age_ms(const state_observation_t *o, int64_t now_ms) M_NONNULL_ALL M_PURE;
/* When the observed status began, on this region's clock: the observer's own span
 * checked - since placed before the time the row was stored here, ms since epoch. */
int64_t state_observation_since_ms(const state_observation_t *o) M_NONNULL_ALL M_PURE;

/* Computes verdicts for every conf->datacenters[i] into out[i]. Quorum: conf->health.quorum
 * fresh down votes, or when 0 a strict majority of fresh observations. Stale
 * observations (state_observation_fresh) do not vote. Unexpired, non-deleted overrides win. */
void state_verdict_compute(const conf_t *conf, const state_observation_t *obs, size_t obs_count,
			   const state_override_t *ovr, size_t ovr_count, int64_t now_ms,
			   state_verdict_t *out) M_NONNULL(1, 7);

/* Would applying action to datacenter dc leave some record with no serving candidate?
 * Returns 0 when safe; -1 with why filled naming the record when it would. */
int state_verdict_check_override(const conf_t *conf, const state_verdict_t *current, size_t dc,
				 state_override_action_t action, char *why, size_t whylen) M_NONNULL(1, 2, 5) M_WUR;

/* Would clearing the override of datacenter dc leave some record with no serving candidate
 * (e.g. clearing a force-up of a datacenter observed down)? Its state after the clear is
 * current[dc].observed. Returns 0 when safe; -1 with why filled like check_override. */
int state_verdict_check_clear(const conf_t *conf, const state_verdict_t *current, size_t dc, char *why,
			      size_t whylen) M_NONNULL(1, 2, 4) M_WUR;

/* Loads observations and overrides from st and computes verdicts (convenience for ctl/dnsd). */
int state_verdict_load(state_t *st, const conf_t *conf, int64_t now_ms, state_verdict_t *out) M_NONNULL_ALL M_WUR;

#endif
