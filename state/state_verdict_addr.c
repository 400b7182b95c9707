/* SPDX-License-Identifier: MIT */
/* state_verdict_addr.c -- address health and time to change: what a verdict adds for answers */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "state/state_internal.h"
#include "state/state_verdict.h"

/* Like the verdict, a pure function of config, observations, the override and the time:
 * every region derives the same address set and the same transitions from the same
 * replicated rows, and nothing here is stored. */

/* A why sentence; a long reason truncates it, which is fine for a sentence. */
static void why_set(char *why, size_t len, const char *fmt, ...) M_PRINTF(3, 4);
static void why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static bool serves(state_dc_state_t s)
{
	return s == STATE_DC_UP || s == STATE_DC_UNKNOWN || s == STATE_DC_FORCED_UP;
}

/* Remaining time of a vote's expected change, by this region's clock: change_in counts
 * from the probe (checked), which this region saw age_ms ago. */
static int64_t vote_change_in(const state_observation_t *o, int64_t now_ms)
{
	int64_t left = (int64_t)o->change_in_ms - state_observation_age_ms(o, now_ms);
	return left > 0 ? left : 0;
}

/* Notes a possible change in change_in ms; the earliest wins, with its words. */
static void transition_note(state_verdict_t *v, int64_t change_in, const char *what)
{
	if (v->in_transition && change_in >= v->change_in_ms)
		return;
	char span[32];
	v->in_transition = true;
	v->change_in_ms = change_in;
	timefmt_duration((change_in + 999) / 1000 * 1000, span, sizeof(span));
	snprintf(v->transition, sizeof(v->transition), "%s, in %s at the earliest", what, span);
}

/* The address text an observation of configured address a carries. */
static void address_text(const ipaddr_t *a, char *out, size_t len)
{
	if (inet_ntop(a->family, a->bytes, out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
}

/* Votes on one checked address: whether it serves, and its expected change. */
static void address_votes(const state_params_t *params, const char *dc, const char *address,
			  const state_observation_t *obs, size_t obs_count, unsigned quorum,
			  int64_t now_ms, bool *serving, int64_t *change_in, const char **detail)
{
	unsigned down = 0, falling = 0, rising = 0;
	int64_t fall_in = -1, rise_in = -1;

	*detail = NULL;
	for (size_t j = 0; j < obs_count; j++) {
		const state_observation_t *o = &obs[j];
		if (strcmp(o->address, address) != 0 || strcmp(o->datacenter, dc) != 0 ||
		    o->status == STATE_HEALTH_UNKNOWN ||
		    !state_observation_fresh(params, o, now_ms))
			continue;
		int64_t left = vote_change_in(o, now_ms);
		if (o->status == STATE_HEALTH_DOWN) {
			down++;
			if (*detail == NULL && o->detail[0])
				*detail = o->detail;
			if (o->pending == STATE_HEALTH_UP) {
				rising++;
				rise_in = rise_in < 0 || left < rise_in ? left : rise_in;
			}
		} else if (o->pending == STATE_HEALTH_DOWN) {
			falling++;
			fall_in = fall_in < 0 || left < fall_in ? left : fall_in;
			if (*detail == NULL && o->detail[0])
				*detail = o->detail;
		}
	}
	*serving = down < quorum;
	*change_in = -1;
	if (*serving && falling > 0 && down + falling >= quorum)
		*change_in = fall_in;
	else if (!*serving && rising > 0 && down - rising < quorum)
		*change_in = rise_in;
}

/* Per-address state of datacenter dc, and the serving fraction. */
static void addresses_apply(const state_params_t *params, const state_params_dc_t *d,
			    const state_observation_t *obs, size_t obs_count, int64_t now_ms,
			    state_verdict_t *v)
{
	unsigned quorum =
	    v->quorum
		? v->quorum
		: (params->health.quorum ? params->health.quorum
					 : (1 + (unsigned)params->replication.peer_count) / 2 + 1);
	size_t n = d->address_count < 64 ? d->address_count : 64;
	const char *down_detail = NULL, *down_address = NULL;
	char texts[64][STATE_ADDRESS_MAX];

	v->address_serving = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
	for (size_t i = 0; i < d->checked_address_count; i++) {
		size_t k = d->checked_addresses[i];
		bool serving;
		int64_t change_in;
		const char *detail;

		if (k >= n)
			continue;
		address_text(&d->addresses[k], texts[k], sizeof(texts[k]));
		v->address_checked |= UINT64_C(1) << k;
		address_votes(params, d->name, texts[k], obs, obs_count, quorum, now_ms, &serving,
			      &change_in, &detail);
		if (!serving) {
			v->address_serving &= ~(UINT64_C(1) << k);
			if (down_address == NULL) {
				down_address = texts[k];
				down_detail = detail;
			}
		}
		if (change_in >= 0) {
			char what[128]; /* "address " + 46-byte address + " recovering (" + 40 + ")" */
			v->address_pending |= UINT64_C(1) << k;
			snprintf(what, sizeof(what), "address %s %s%s%.40s%s", texts[k],
				 serving ? "failing" : "recovering", detail ? " (" : "",
				 detail ? detail : "", detail ? ")" : "");
			transition_note(v, change_in, what);
		}
	}
	v->addresses_serving = (unsigned)__builtin_popcountll(v->address_serving);
	unsigned pct = d->min_serving_percent ? d->min_serving_percent : 50;
	v->addresses_needed = (unsigned)((d->address_count * pct + 99) / 100);
	if (v->addresses_needed == 0)
		v->addresses_needed = 1;
	if (v->addresses_serving >= v->addresses_needed || !serves(v->effective) ||
	    v->effective == STATE_DC_FORCED_UP)
		return;
	/* Too few addresses serve: the datacenter fails over as if it were down. */
	char was[STATE_TEXT_MAX];
	memcpy(was, v->why, sizeof(was));
	why_set(v->why, sizeof(v->why),
		 "%u of %zu addresses serve, fewer than %u (min_serving_percent %u; %s down%s%.60s);"
		 " datacenter: %s",
		 v->addresses_serving, d->address_count, v->addresses_needed, pct,
		 down_address ? down_address : "?", down_detail ? ": " : "",
		 down_detail ? down_detail : "", was);
	v->effective = STATE_DC_DOWN;
	v->serving = false;
}

/* Transitions of the datacenter's own verdict. */
static void datacenter_transition(const state_params_t *params, const char *name,
				  const state_observation_t *obs, size_t obs_count,
				  const state_override_t *o, const state_override_t *ovr,
				  size_t ovr_count, int64_t now_ms, state_verdict_t *v)
{
	int64_t fall_in = -1, rise_in = -1;
	const char *detail = NULL;
	char what[128];

	for (size_t j = 0; j < obs_count; j++) {
		const state_observation_t *ob = &obs[j];
		if (ob->address[0] != '\0' || strcmp(ob->datacenter, name) != 0 ||
		    ob->status == STATE_HEALTH_UNKNOWN ||
		    !state_observation_fresh(params, ob, now_ms))
			continue;
		int64_t left = vote_change_in(ob, now_ms);
		if (ob->status == STATE_HEALTH_UP && ob->pending == STATE_HEALTH_DOWN) {
			v->votes_falling++;
			fall_in = fall_in < 0 || left < fall_in ? left : fall_in;
			if (detail == NULL && ob->detail[0])
				detail = ob->detail;
		} else if (ob->status == STATE_HEALTH_DOWN && ob->pending == STATE_HEALTH_UP) {
			v->votes_rising++;
			rise_in = rise_in < 0 || left < rise_in ? left : rise_in;
		}
	}
	/* A scheduled override that starts soon and changes serving. */
	for (size_t j = 0; ovr != NULL && j < ovr_count; j++) {
		const state_override_t *s = &ovr[j];
		if (s->deleted || s->starts_ms <= now_ms || strcmp(s->datacenter, name) != 0)
			continue;
		bool after = s->action == STATE_OVERRIDE_FORCE_UP;
		if (after != v->serving) {
			snprintf(what, sizeof(what), "scheduled %s starts",
				 state_override_action_name(s->action));
			transition_note(v, s->starts_ms - now_ms, what);
		}
	}
	if (o != NULL) {
		/* The override decides until it expires; then the observations do. */
		if (o->expires_ms > 0 && serves(v->observed) != serves(v->effective)) {
			snprintf(what, sizeof(what), "override %s expires",
				 state_override_action_name(o->action));
			transition_note(v, o->expires_ms - now_ms > 0 ? o->expires_ms - now_ms : 0,
					what);
		}
		return;
	}
	if (v->damped) {
		transition_note(v, v->reuse_ms > 0 ? v->reuse_ms : 0, "flap damping releases");
		return;
	}
	if (!v->serving && (v->hold == STATE_HOLD_SILENT || v->hold == STATE_HOLD_ISOLATED)) {
		transition_note(v, v->hold_left_ms > 0 ? v->hold_left_ms : 0,
				"the held verdict fails open");
		return;
	}
	if (v->observed == STATE_DC_UP && v->votes_falling > 0 &&
	    v->votes_down + v->votes_falling >= v->quorum) {
		snprintf(what, sizeof(what), "%u of %u regions' probes failing%s%.60s%s",
			 v->votes_falling, v->regions, detail ? " (" : "", detail ? detail : "",
			 detail ? ")" : "");
		transition_note(v, fall_in, what);
	} else if (v->observed == STATE_DC_DOWN && v->votes_rising > 0 &&
		   v->votes_down - v->votes_rising < v->quorum) {
		snprintf(what, sizeof(what), "%u of %u regions' probes recovering",
			 v->votes_rising, v->regions);
		transition_note(v, rise_in, what);
	}
}

void state_verdict_addresses(const state_params_t *params, size_t dc,
			     const state_observation_t *obs, size_t obs_count,
			     const state_override_t *o, const state_override_t *ovr,
			     size_t ovr_count, int64_t now_ms, state_verdict_t *v)
{
	if (dc >= params->datacenter_count)
		return;
	const state_params_dc_t *d = &params->datacenters[dc];
	if (obs == NULL)
		obs_count = 0;
	datacenter_transition(params, d->name, obs, obs_count, o, ovr, ovr_count, now_ms, v);
	size_t n = d->address_count < 64 ? d->address_count : 64;
	v->address_serving = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
	v->addresses_serving = (unsigned)n;
	if (d->checked_address_count > 0)
		addresses_apply(params, d, obs, obs_count, now_ms, v);
}

void state_verdict_family_masks(const ipaddr_t *addresses, size_t count, const state_verdict_t *v,
				uint64_t masks[2])
{
	unsigned j[2] = {0, 0};

	masks[0] = masks[1] = UINT64_MAX;
	for (size_t k = 0; k < count && k < 64; k++) {
		int f = addresses[k].family == AF_INET6;
		if (j[f] < 64 && !((v->address_serving >> k) & 1))
			masks[f] &= ~(UINT64_C(1) << j[f]);
		j[f]++;
	}
}

uint32_t state_verdict_ttl(const state_verdict_t *v, uint32_t ttl, uint32_t transition_ttl)
{
	if (!v->in_transition || transition_ttl == 0 || transition_ttl >= ttl)
		return ttl;
	int64_t secs = (v->change_in_ms + 999) / 1000;
	uint32_t t = secs > (int64_t)transition_ttl ? (secs > (int64_t)ttl ? ttl : (uint32_t)secs)
						    : transition_ttl;
	return t < ttl ? t : ttl;
}
