/* SPDX-License-Identifier: MIT */
/* state_verdict.h -- effective datacenter state from config, observations and overrides */
#ifndef MERIDIAN_STATE_VERDICT_H
#define MERIDIAN_STATE_VERDICT_H

#include "state/state_params.h"
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

/* Why a verdict is held rather than decided by the votes of this instant. */
typedef enum {
	STATE_HOLD_NONE = 0,  /* decided now (or nothing to hold: served) */
	STATE_HOLD_SILENT,    /* no fresh vote at all: the last verdict, for at most health.hold */
	STATE_HOLD_ISOLATED,  /* too few fresh votes either way (isolated: hold) */
	STATE_HOLD_EXPIRED,   /* undecided longer than health.hold: served (fail open) */
} state_hold_t;
const char *state_hold_name(state_hold_t h) M_CONST; /* "none", "silent", ... */

/* The verdict on one datacenter. */
typedef struct {
	state_dc_state_t effective;   /* what answers use */
	state_dc_state_t observed;    /* UP, DOWN or UNKNOWN from observations (held, damped) */
	bool serving;                 /* effective is UP, UNKNOWN or FORCED_UP */
	unsigned votes_down;          /* fresh observations saying down */
	unsigned votes_up;            /* fresh observations saying up */
	unsigned votes_stale;         /* observations too old to vote */
	unsigned regions;             /* voters: configured regions (+ unconfigured checkers) */
	unsigned quorum;              /* fresh down votes that make it down, of regions */
	bool own_fresh;               /* this region's own checker has a fresh vote */
	bool alone;                   /* isolated and decided alone (isolated: alone) */
	state_hold_t hold;            /* why the last verdict is held, if it is */
	int64_t hold_left_ms;         /* SILENT/ISOLATED: time before it fails open, ms */
	bool damped;                  /* held down by flap damping */
	int64_t reuse_ms;             /* damped: time until released, ms */
	double penalty;               /* flap penalty now (decayed) */
	int override_index;           /* index into the overrides passed in, or -1 */
	char why[STATE_TEXT_MAX];     /* "2 of 3 regions say down (HTTP 503)" */
	/* time to change (state_verdict_addr.c): the verdict, or the addresses answered,
	 * could change soon, so answers that depend on it carry the record's transition_ttl */
	unsigned votes_falling;       /* fresh up votes whose checker saw failures, not yet fall */
	unsigned votes_rising;        /* fresh down votes whose checker saw successes, not yet rise */
	bool in_transition;           /* something below could change what answers use */
	int64_t change_in_ms;         /* in_transition: earliest expected change, ms from now, >= 0 */
	char transition[128];         /* in_transition: why, "1 of 3 regions' probes failing
				       * (HTTP 503), down in 1s at the earliest"; "" otherwise */
	/* address health (datacenters.NAME.address_checks); bit i is address i */
	uint64_t address_checked;     /* addresses with a check */
	uint64_t address_serving;     /* addresses answered: unchecked ones, and checked ones
				       * a quorum of fresh votes does not say down */
	uint64_t address_pending;     /* checked addresses in transition */
	unsigned addresses_serving;   /* bits set in address_serving */
	unsigned addresses_needed;    /* fewer serving than this fail the datacenter over */
} state_verdict_t;

/* What this region remembers of one datacenter's verdict between evaluations: the local
 * table verdict_memory (never replicated), written by meridian-dnsd after each change and
 * read by meridianctl, so both show the same held and damped verdicts. All times are
 * this region's clock, ms since the epoch. A zeroed value is "nothing remembered". */
typedef struct {
	state_dc_state_t decided; /* last state the votes decided: UP or DOWN (when decided_ms) */
	int64_t decided_ms;	  /* when it was decided so, 0: never (nothing decided) */
	int64_t undecided_ms;	  /* since when the votes decide nothing, 0: they decide now */
	bool expired;		  /* the hold of this undecided spell ran out */
	double penalty;		  /* flap penalty as of penalty_ms, >= 0 */
	int64_t penalty_ms;	  /* when penalty was last raised, 0: never */
	bool suppressed;	  /* held down: flapping (until the penalty falls below reuse) */
	uint64_t transitions;	  /* decided UP <-> DOWN changes (and a first DOWN), counted */
	uint64_t holds;		  /* undecided spells that held a verdict, counted */
	uint64_t isolated;	  /* of those, spells with some fresh votes (isolation), counted */
	uint64_t expiries;	  /* holds that ran out (failed open), counted */
	uint64_t suppressions;	  /* times flap damping began holding it down, counted */
} state_verdict_memory_t;

/* Freshness never depends on two regions' clocks agreeing. An observation votes while
 * (a) this region stored it (state_observation_put, or applied it from a peer) at most
 * health.stale_after ago by this region's clock, and (b) its own checked time is at most
 * stale_after + replication.max_clock_skew old, the backstop against a backlog replayed
 * late. A region whose clock is off by any skew replication accepts keeps voting for as
 * long as its heartbeats (every stale_after / 3) arrive. stale_after 0: always fresh. */
bool state_observation_fresh(const state_params_t *params, const state_observation_t *o,
			     int64_t now_ms) M_NONNULL_ALL M_PURE;
/* How old the observation is as this region sees it: now minus when it was stored here
 * (checked_ms when that is unknown), ms. */
int64_t state_observation_age_ms(const state_observation_t *o, int64_t now_ms) M_NONNULL_ALL M_PURE;
/* When the observed status began, on this region's clock: the observer's own span
 * checked - since placed before the time the row was stored here, ms since epoch. */
int64_t state_observation_since_ms(const state_observation_t *o) M_NONNULL_ALL M_PURE;

/* The verdict with this region's memory: mem_in[i] (NULL: nothing remembered) for each
 * datacenter, the updated memory into mem_out[i] (NULL: not wanted). The rule, per
 * datacenter (docs/verdict.md):
 *  1. votes: fresh observations of the configured regions (this one and
 *     replication.peers; a checker not configured counts as one more region); quorum Q is
 *     health.quorum, or when 0 a majority of the regions;
 *  2. DOWN when at least Q fresh votes say down; UP when fewer would, even if every
 *     region without a fresh vote said down; otherwise undecided: with isolated: alone
 *     and some fresh vote, a majority of the fresh votes decides;
 *  3. undecided: the last decided state is held (SILENT without any fresh vote, else
 *     ISOLATED) for at most health.hold, then served (EXPIRED, fail open); nothing
 *     remembered: served;
 *  4. flap damping: each decided UP <-> DOWN change (the first DOWN too: a datacenter
 *     starts served) adds flap_penalty to a penalty that
 *     halves every flap_half_life (capped so it falls below flap_reuse within
 *     flap_max_hold); above flap_suppress the datacenter is held down until the penalty
 *     is below flap_reuse;
 *  5. a live override beats all of it. */
void state_verdict_decide(const state_params_t *params, const state_observation_t *obs,
			  size_t obs_count, const state_override_t *ovr, size_t ovr_count,
			  const state_verdict_memory_t *mem_in, int64_t now_ms,
			  state_verdict_t *out, state_verdict_memory_t *mem_out) M_NONNULL(1, 8);

/* Address health and time to change of datacenter dc (state_verdict_addr.c), after its
 * votes, memory and override were applied to v (o: the live override, or NULL):
 *  - each checked address serves unless at least the quorum of fresh votes on it says
 *    down (no hold, no damping: an address is never the last thing served, the
 *    datacenter is); the datacenter is DOWN (not serving) when fewer than
 *    addresses_needed of its addresses serve, unless forced up;
 *  - in_transition when a change is expected: probes failing towards fall (enough
 *    votes to make the quorum) while serving, recovering towards rise while down, a
 *    checked address doing either, an override whose expiry (or a scheduled one of ovr
 *    whose start) changes serving, a held or damped verdict about to be released;
 *    change_in_ms is the earliest of them.
 * obs holds datacenter and address observations (address ""). */
void state_verdict_addresses(const state_params_t *params, size_t dc,
			     const state_observation_t *obs, size_t obs_count,
			     const state_override_t *o, const state_override_t *ovr,
			     size_t ovr_count, int64_t now_ms, state_verdict_t *v) M_NONNULL(1, 9);

/* v's address_serving per family as answers lay addresses out (the datacenter's
 * addresses, count of them, in config order, A and AAAA apart): bit j of masks[0] is its
 * j-th IPv4 address, of masks[1] its j-th IPv6 address; addresses past the 64th serve. */
void state_verdict_family_masks(const ipaddr_t *addresses, size_t count, const state_verdict_t *v,
				uint64_t masks[2]) M_NONNULL_ALL;

/* The TTL an answer gets: ttl, or when in_transition the lower of ttl and the larger of
 * transition_ttl and the seconds (rounded up) to the change; transition_ttl 0: ttl. */
uint32_t state_verdict_ttl(const state_verdict_t *v, uint32_t ttl, uint32_t transition_ttl)
    M_NONNULL_ALL M_PURE;

/* The flap penalty of m decayed to now_ms. */
double state_verdict_penalty(const state_params_t *params, const state_verdict_memory_t *m,
			     int64_t now_ms) M_NONNULL_ALL M_PURE;

/* Reads this region's verdict memory for every params->datacenters[i] into out[i] (zeroed
 * when none). */
int state_verdict_memory_load(state_t *st, const state_params_t *params,
			      state_verdict_memory_t *out) M_NONNULL_ALL M_WUR;
/* Writes the entries of mem that differ from was (NULL: all) in one transaction. */
int state_verdict_memory_save(state_t *st, const state_params_t *params,
			      const state_verdict_memory_t *was, const state_verdict_memory_t *mem)
    M_NONNULL(1, 2, 4) M_WUR;

/* Fail-open order, per address family, when no candidate of a record serves: 0 serving,
 * 1 not serving but observed up or unknown (drained or forced down by an operator), 2
 * observed down (held down too). Lower first, then nearest. The one rule dnsd and
 * meridianctl explain rank by. */
int state_verdict_fail_open_rank(const state_verdict_t *v) M_NONNULL_ALL M_PURE;

/* Why v is held, as status and explain show it after the state: "held down: flapping,
 * reuse in 2m10s", "held: isolated, 4m10s left", "hold ran out: fail open", "isolated:
 * decided alone"; "" when decided plainly. Returns buf. */
const char *state_verdict_hold_text(const state_verdict_t *v, char *buf, size_t len) M_NONNULL_ALL;

/* Region-wide alarm: this region's checker is silent (it checks some datacenter but has
 * no fresh vote on any), or some verdict is held or failed open after a hold. Fills why
 * ("this region's checker is silent; east held (no fresh vote, 4m10s left)"); false and
 * "" when all is well. */
bool state_verdict_alarm(const state_params_t *params, const state_verdict_t *v, char *why,
			 size_t whylen) M_NONNULL_ALL;

/* Computes verdicts for every params->datacenters[i] into out[i]. Quorum: params->health.quorum
 * fresh down votes, or when 0 a strict majority of fresh observations. Stale
 * observations (state_observation_fresh) do not vote. Unexpired, non-deleted overrides win. */
void state_verdict_compute(const state_params_t *params, const state_observation_t *obs,
			   size_t obs_count, const state_override_t *ovr, size_t ovr_count,
			   int64_t now_ms, state_verdict_t *out) M_NONNULL(1, 7);

/* Would applying action to datacenter dc leave some record with no serving candidate?
 * Returns 0 when safe; -1 with why filled naming the record when it would. */
int state_verdict_check_override(const state_params_t *params, const state_verdict_t *current,
				 size_t dc, state_override_action_t action, char *why,
				 size_t whylen) M_NONNULL(1, 2, 5) M_WUR;

/* Would clearing the override of datacenter dc leave some record with no serving candidate
 * (e.g. clearing a force-up of a datacenter observed down)? Its state after the clear is
 * current[dc].observed. Returns 0 when safe; -1 with why filled like check_override. */
int state_verdict_check_clear(const state_params_t *params, const state_verdict_t *current,
			      size_t dc, char *why, size_t whylen) M_NONNULL(1, 2, 4) M_WUR;

/* Loads observations, overrides and this region's verdict memory from st and decides
 * (state_verdict_decide) without writing: what meridianctl shows and judges by. */
int state_verdict_load(state_t *st, const state_params_t *params, int64_t now_ms,
		       state_verdict_t *out) M_NONNULL_ALL M_WUR;
/* The verdicts of now's observations and memory with the overrides as they will stand at
 * at_ms (those in effect then, by state_override_active), skip_dc's own override (may be
 * NULL) left out: what a scheduled override is judged against for its window. */
int state_verdict_load_at(state_t *st, const state_params_t *params, int64_t now_ms, int64_t at_ms,
			  const char *skip_dc, state_verdict_t *out) M_NONNULL(1, 2, 6) M_WUR;
/* The same, then saves the memory when it changed, from st, which must be writable:
 * meridian-dnsd's evaluation. mem (params->datacenter_count entries, may be NULL) receives
 * the memory decided with. 0; 1 when the verdicts are right but the memory could not be
 * saved (state_errmsg says why; it is saved at a later call); -1 on failure. */
int state_verdict_update(state_t *st, const state_params_t *params, int64_t now_ms,
			 state_verdict_t *out, state_verdict_memory_t *mem)
    M_NONNULL(1, 2, 4) M_WUR;

#endif
