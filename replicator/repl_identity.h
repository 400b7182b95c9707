/* SPDX-License-Identifier: MIT */
/* repl_identity.h -- what a peer's word on our origin says about this store's numbering */
#ifndef MERIDIAN_REPL_IDENTITY_H
#define MERIDIAN_REPL_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"

/* What one answer of a peer tells about our own numbering. */
typedef enum {
	REPL_IDENTITY_NOTHING, /* nothing to do: no more than confirmed, or nothing provable */
	REPL_IDENTITY_CONFIRM, /* the peer holds our numbering up to its head: confirm it */
	REPL_IDENTITY_COLLIDE, /* our numbering collides: move unconfirmed entries */
} repl_identity_verdict_t;

/* The facts one answer gives, beside our own. */
typedef struct {
	uint64_t head;	    /* the peer's cursor of our origin (its heads) */
	bool has_you;	    /* the answer carried "you" */
	uint64_t you_seq;   /* "you": the seq of the peer's newest entry of ours */
	uint64_t you_hlc;   /* "you": its hlc, 0 when the peer does not hold that entry */
	uint64_t held;	    /* our own cursor */
	uint64_t confirmed; /* own_confirmed: the highest own seq a peer proved holding */
	uint64_t mine_hlc;  /* the hlc of our entry at you_seq, 0 when we do not hold it */
	bool checked; /* the check after start is done: our own entries are being served */
	/* An earlier answer of this peer was judged before that: it settled what the peer
	 * held of ours then (a collision moved our entries past it), and what it holds
	 * beyond came from us since (or was relayed with its log, which shows the hlc). */
	bool vetted;
} repl_identity_facts_t;

/* The decision. A peer holding more of our origin than we do: collide. Above confirmed
 * and within what we hold, only an entry compared by hlc proves anything: the same hlc at
 * the peer's head confirms our numbering up to there, another hlc collides. An entry the
 * peer cannot show (it took our rows from a snapshot, so its log of us starts after its
 * head) proves nothing: before our entries are served that is a collision, since a copy
 * that wrote on after a restore numbers exactly so, unless the peer is vetted: what it
 * holds beyond its judged answer came from us since, which confirms (and never judges
 * one peer's word twice: a second collision would move our entries again). Once our
 * entries are served, a peer first heard then (it was down) decides nothing (what every
 * peer acknowledges is confirmed once a second). */
repl_identity_verdict_t repl_identity_judge(const repl_identity_facts_t *f) M_NONNULL_ALL M_WUR;

#endif
