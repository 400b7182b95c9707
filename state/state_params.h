/* SPDX-License-Identifier: MIT */
/* state_params.h -- what the state floor reads of a config: plain data its callers fill */
#ifndef MERIDIAN_STATE_PARAMS_H
#define MERIDIAN_STATE_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

/* The state floor never sees the config (docs/architecture.md): the verdict, the guard,
 * the status tables and the live load take these parameters instead. The programs get
 * them from their conf_t with bridge_state_params_new() (bridge/bridge_state.h); unit
 * tests fill them by hand. Nothing here is owned: strings and arrays are borrowed from
 * whoever filled them and must outlive every call that reads them. */

/* One datacenter (datacenters.NAME), as judged and reported. */
typedef struct {
	const char *name;		 /* the datacenter id */
	const ipaddr_t *addresses;	 /* what answers hand out, config order, both families */
	size_t address_count;		 /* entries in addresses */
	const size_t *checked_addresses; /* indexes into addresses with a check of their own
					  * (address_checks), each < 64 */
	size_t checked_address_count;	 /* entries in checked_addresses; 0: none */
	uint32_t min_serving_percent;	 /* fewer serving addresses than this share of
					  * address_count fail it over; 0: 50 */
	size_t check_count;		 /* its datacenter-level checks (check/checks); 0: none,
					  * so this region's checker votes on it only by address */
	bool has_load;			 /* it declares a live load (datacenters.NAME.load) */
	uint32_t load_heartbeat_ms;	 /* has_load: the load is read at least this often */
} state_params_dc_t;

/* One record (records.NAME): the safety rule keeps a serving candidate for each. */
typedef struct {
	const char *name;	   /* the owner name, absolute */
	const size_t *datacenters; /* candidates: indexes into state_params_t.datacenters */
	size_t datacenter_count;   /* entries in datacenters */
} state_params_record_t;

/* Everything of one configuration the state floor reads. */
typedef struct {
	const char *region; /* this region's id (NULL: none; never a voter then) */
	struct {
		uint32_t quorum;	 /* fresh down votes that make a datacenter down;
					  * 0: a majority of the regions */
		uint32_t stale_after_ms; /* votes stored longer ago do not count; 0: never stale */
		bool isolated_alone;	 /* too few fresh votes: a majority of the fresh ones
					  * decides (health.isolated: alone); false: hold */
		uint32_t hold_ms;	 /* longest a verdict is held undecided, then fail open */
		bool flap_damping;	 /* penalise transitions, hold flapping ones down */
		uint32_t flap_penalty;	 /* penalty added per transition */
		uint32_t flap_suppress;	 /* held down above this penalty */
		uint32_t flap_reuse;	 /* released below this penalty */
		uint32_t flap_half_life_ms; /* the penalty halves in this time; 0: 60000 */
		uint32_t flap_max_hold_ms;  /* held down this long at most after the last change */
	} health;			    /* the `health` section's verdict rules */
	struct {
		const char *const *peers;     /* the peers' region ids (replication.peers) */
		size_t peer_count;	      /* entries in peers */
		uint32_t max_clock_skew_ms;   /* a vote's own time may be this much past fresh */
		uint32_t isolated_after_ms;   /* no peer heard from this long: isolated */
	} replication;			      /* the regions that vote, and isolation */
	const state_params_dc_t *datacenters; /* in config order: verdict i is datacenter i */
	size_t datacenter_count;	      /* entries in datacenters */
	const state_params_record_t *records; /* in config order */
	size_t record_count;		      /* entries in records */
} state_params_t;

#endif
