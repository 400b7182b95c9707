/* SPDX-License-Identifier: MIT */
/* ctl_peers.h -- `meridianctl peers`: the links to other regions, their progress and drift */
#ifndef MERIDIAN_CTL_PEERS_H
#define MERIDIAN_CTL_PEERS_H

#include <stdio.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_drift.h"
#include "state/state.h"

int ctl_peers_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

/* Peers as a table or --json; configured peers the store has not heard of yet are
 * listed as never contacted. */
int ctl_peers_print(FILE *out, bool json, const conf_t *conf, const state_peer_t *peers,
		    size_t count, int64_t now_ms) M_NONNULL(1, 3) M_WUR;

/* Every (peer, origin) progress row the store holds, as state_peer_origins_list gives. */
typedef struct {
	state_peer_origin_t *rows; /* malloc'd by state_peer_origins_list; NULL when none */
	size_t count;		   /* rows */
	bool isolated;		   /* no configured peer heard from within isolated_after */
	int64_t contact_ms;	   /* newest contact with a configured peer, 0: none */
} ctl_peer_origins_t;
/* The same, with each peer's progress per origin under it: continuation rows in the table
 * ("  origin O", "N behind (seq P, here L)", lag), an "origins" array per peer in --json.
 * origins may be NULL (none known). An isolated region (origins->isolated) says so in a
 * last line, "isolated: no peer heard from for 2m05s (replication.isolated_after 1m)",
 * and in --json ("isolated", "last_peer_contact_ms"). */
int ctl_peers_print_origins(FILE *out, bool json, const conf_t *conf, const state_peer_t *peers,
			    size_t count, const ctl_peer_origins_t *origins, int64_t now_ms)
    M_NONNULL(1, 3) M_WUR;
/* The same, followed by what every region runs and its drift (ctl_drift.h): a table
 * after the peers, the "drift" and "deployments" members in --json. st reads the zone
 * lists; st and drift may be NULL (nothing added). */
int ctl_peers_print_drift(FILE *out, bool json, const conf_t *conf, const state_peer_t *peers,
			  size_t count, const ctl_peer_origins_t *origins, int64_t now_ms,
			  state_t *st, const ctl_drift_t *drift) M_NONNULL(1, 3) M_WUR;

#endif
