/* SPDX-License-Identifier: MIT */
/* repl_identity.c -- what a peer's word on our origin says about this store's numbering */
#include "config.h"

#include "replicator/repl_identity.h"

repl_identity_verdict_t repl_identity_judge(const repl_identity_facts_t *f)
{
	if (f->head > f->held)
		return REPL_IDENTITY_COLLIDE;
	if (f->head <= f->confirmed)
		return REPL_IDENTITY_NOTHING;
	/* confirmed < head <= held: entries of ours no peer has proved holding with our
	 * numbering. Only the same hlc at the same seq proves it; a missing hlc on either
	 * side is not a match (it used to confirm: a restored copy that wrote on past what
	 * it lost then shared seqs with the peer's entries, for ever). */
	bool compared = f->has_you && f->you_seq == f->head && f->you_hlc != 0 && f->mine_hlc != 0;
	if (compared)
		return f->you_hlc == f->mine_hlc ? REPL_IDENTITY_CONFIRM : REPL_IDENTITY_COLLIDE;
	if (f->vetted)
		return REPL_IDENTITY_CONFIRM;
	return f->checked ? REPL_IDENTITY_NOTHING : REPL_IDENTITY_COLLIDE;
}
