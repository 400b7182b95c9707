/* SPDX-License-Identifier: MIT */
/* ctl_state.h -- what meridianctl's subcommands share: opening the store, naming datacenters */
#ifndef MERIDIAN_CTL_STATE_H
#define MERIDIAN_CTL_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "state/state.h"
#include "geo/geo_capacity.h"
#include "geo/geo_pick_conf.h"
#include "state/state_load.h"
#include "state/state_weight.h"
#include "state/state_verdict.h"

/* Opens conf's state store. Writers create it if needed (as this region); readers open
 * it read-only and never block the daemons' writes. NULL after printing why. */
state_t *ctl_state_open(const conf_t *conf, bool write) M_NONNULL_ALL M_WUR;

/* Index of the datacenter called name, or -1 with the message
 * `unknown datacenter "xx" (known: us-east, eu-west)` in err. */
int ctl_datacenter_lookup(const conf_t *conf, const char *name, char *err,
			  size_t errlen) M_NONNULL_ALL M_WUR;

/* The upper-case name status tables show ("FORCED-DOWN"); --json uses the lower-case
 * state_dc_state_name(), and override actions state_override_action_name(). */
const char *ctl_dc_state_label(int state) M_CONST;

/* Everything the store says about the datacenters at one instant, with the verdicts. */
typedef struct {
	int64_t now_ms;		  /* the instant the verdicts are for, ms since epoch */
	state_observation_t *obs; /* every region's observations (malloc'd): the
				   * datacenters' (address ""), then the addresses' */
	size_t obs_count; /* entries in obs */
	state_override_t *ovr; /* overrides, tombstones and expired ones included */
	size_t ovr_count; /* entries in ovr */
	state_verdict_t *verdicts; /* one per conf->datacenters[i] (malloc'd) */
	bool isolated;		   /* no configured peer heard from within isolated_after */
	int64_t peer_contact_ms;   /* newest contact with a configured peer, 0: none */
	state_verdict_memory_t *memory; /* this region's verdict memory, one per datacenter,
					 * as decided with (malloc'd) */
	state_load_t *loads;	 /* every region's live load readings (malloc'd) */
	size_t load_count;	 /* entries in loads */
	uint32_t *pick_load;	 /* per datacenter, the live load the pick takes
				  * (state_load_for_pick) when pick_has_load (malloc'd) */
	bool *pick_has_load;	 /* per datacenter; NULL (no store): none known */
	state_weight_t *weights; /* run-time weights, cleared and expired ones included (malloc'd) */
	size_t weight_count;	 /* entries in weights */
	geo_pick_reweight_t *reweights; /* the ones in effect that this config's splits
					 * take, as the pick's tables take them (malloc'd) */
	size_t reweight_count;	 /* entries in reweights */
	state_params_t *params;	 /* what the verdicts read of the config they were
				  * computed for (bridge_state_params_new; borrows it) */
} ctl_view_t;

/* Reads observations and overrides and computes the verdicts. 0, or -1 after printing why. */
int ctl_view_load(state_t *st, const conf_t *conf, ctl_view_t *view) M_NONNULL_ALL M_WUR;
/* The view when there is no store yet: nothing observed, every datacenter UNKNOWN (served,
 * every address serving), as meridian-dnsd answers before anything was observed; now_ms
 * 0. 0, or -1 after printing why. Free with ctl_view_free(). */
int ctl_view_empty(const conf_t *conf, ctl_view_t *view) M_NONNULL_ALL M_WUR;
void ctl_view_free(ctl_view_t *view) M_NONNULL_ALL;
/* True when no candidate of conf->records[record] is serving: dnsd answers as if all were.
 * geo_pick() decides (its any_serving), as for every answer. */
bool ctl_view_fails_open(const conf_t *conf, const ctl_view_t *view,
			 size_t record) M_NONNULL_ALL;
/* The addresses of datacenter dc as status and explain show them: "192.0.2.11 down
 * (connect refused), 192.0.2.12 up (failing: HTTP 503), 2001:db8::11 no check"; "" when
 * it has no address checks. Returns buf. */
const char *ctl_view_addresses_text(const conf_t *conf, const ctl_view_t *view, size_t dc,
				    char *buf, size_t len) M_NONNULL_ALL;
/* The text of conf address k of datacenter dc ("192.0.2.11"). Returns buf. */
const char *ctl_address_text(const conf_t *conf, size_t dc, size_t k, char *buf,
			     size_t len) M_NONNULL_ALL;

/* Records whose failed datacenter's clients spill past the spare capacity of the others
 * (geo_capacity_shortfalls over the pick's tables with the view's verdicts, live loads
 * and run-time weights): at most max rows in out (may be NULL); returns how many. */
size_t ctl_view_capacity_short(const conf_t *conf, const ctl_view_t *view,
			       geo_capacity_short_t *out, size_t max) M_NONNULL(1, 2);
/* The live override behind verdict i, or NULL. */
const state_override_t *ctl_view_override(const ctl_view_t *view, size_t i) M_NONNULL_ALL M_PURE;

#endif
