/* SPDX-License-Identifier: MIT */
/* repl_client_check.c -- what the pull client checks besides entries: store identity, digests */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "replicator/repl_client_internal.h"
#include "replicator/repl_identity.h"

/* What the peer holds of our own origin (repl_identity_judge decides): more than we hold,
 * or an entry of ours at a seq where we hold another, or, before our entries are served,
 * one it cannot show us: this store is new or restored, and our entries no peer has
 * confirmed move to a new incarnation before any is served. The same hlc at its head
 * confirms our numbering up to there. Once every peer has answered, our own entries are
 * served. */
void repl_client_identity_check(repl_client_t *c, peer_t *p, const repl_batch_t *b)
{
	uint64_t held = 0, base = 0, moved = 0;
	for (size_t h = 0; h < b->head_count; h++) {
		if (strcmp(b->heads[h].origin, c->region) != 0)
			continue;
		if (state_cursor_get(c->st, c->region, &held) != 0)
			return;
		repl_identity_facts_t f = {
		    .head = b->heads[h].seq,
		    .has_you = b->has_you,
		    .you_seq = b->you_seq,
		    .you_hlc = b->you_hlc,
		    .held = held,
		    .confirmed = c->confirmed,
		    .checked = atomic_load(&c->stats->own_checked),
		    .vetted = p->vetted,
		};
		if (b->has_you && b->you_seq > 0 && b->you_seq <= held) {
			state_change_t *mine = NULL;
			size_t got = 0;
			if (state_changes_since(c->st, c->region, b->you_seq - 1, 1, &mine, &got) ==
				0 &&
			    got == 1 && mine[0].seq == b->you_seq)
				f.mine_hlc = mine[0].hlc;
			state_changes_free(mine, got);
		}
		repl_identity_verdict_t v = repl_identity_judge(&f);
		if (v == REPL_IDENTITY_COLLIDE) {
			bool collided = f.head <= held;
			int rc = state_identity_renumber(c->st, f.head, collided, &base, &moved);
			if (rc < 0) {
				log_error("cannot start a new incarnation: %s", state_errmsg(c->st));
				return;
			}
			if (rc > 0) {
				repl_stats_inc(c->stats, incarnations, 1);
				if (collided)
					log_warn("peer %s holds our origin up to seq %" PRIu64
						 " and %s: this store is new or restored; new"
						 " incarnation from seq %" PRIu64 ", %" PRIu64
						 " unconfirmed entries moved there",
						 p->region, f.head,
						 f.you_hlc != 0 && f.mine_hlc != 0
						     ? "its entry there is not ours"
						     : "cannot show its entry there",
						 base + 1, moved);
				else
					log_warn("peer %s holds our origin up to seq %" PRIu64
						 ", we hold %" PRIu64
						 ": this store is new or restored; new incarnation "
						 "from seq %" PRIu64 ", %" PRIu64
						 " unconfirmed entries moved there",
						 p->region, f.head, held, base + 1, moved);
				/* Re-seed: the rows we lost (our own included) come back with the
				 * peer's snapshot, merged last-writer-wins. */
				p->need_snapshot = true;
			}
		} else if (v == REPL_IDENTITY_CONFIRM && state_identity_confirm(c->st, f.head) == 0) {
			c->confirmed = f.head;
		}
	}
	p->answered = true;
	if (!atomic_load(&c->stats->own_checked))
		p->vetted = true; /* its word was judged before we served our own entries */
	repl_client_identity_gate(c);
}

void repl_client_identity_gate(repl_client_t *c)
{
	if (atomic_load(&c->stats->own_checked))
		return;
	/* Every peer has answered, or every one has answered or failed (refused, unreachable,
	 * cut: it cannot tell us anything now) and at least one answered, or after
	 * REPL_IDENTITY_WAIT_MS any one answered: a peer that is down or broken must not hold
	 * our writes back, and a restarted region should not wait for it. If it alone held
	 * more of our origin, the collision shows as a digest divergence and is re-synced. */
	bool any = false, all = true, settled = true;
	for (size_t i = 0; i < c->peer_count; i++) {
		any |= c->peers[i].answered;
		all &= c->peers[i].answered;
		settled &= c->peers[i].answered || c->peers[i].failed;
	}
	if (!all && !(any && settled) &&
	    !(any && repl_monotonic_ms() - c->started_ms >= REPL_IDENTITY_WAIT_MS))
		return;
	atomic_store(&c->stats->own_checked, true);
	repl_watch_notify(c->watch);
	if (all)
		log_info("every peer has told what it holds of %s: serving our own entries",
			 c->region);
	else
		log_info("every reachable peer has told what it holds of %s (the others failed "
			 "to answer): serving our own entries",
			 c->region);
}

static void digest_text(const state_digest_t *d, char *out, size_t len)
{
	if (d == NULL)
		snprintf(out, len, "0:0000000000000000");
	else
		snprintf(out, len, "%lld:%016" PRIx64, (long long)d->rows, d->sum);
}

/* Asks p for a re-sync: its snapshot merged into ours, and when force, its copy of the
 * rows of d winning ties too (d appended to p's list). */
static void resync_ask(peer_t *p, const state_digest_t *d, bool local, bool force)
{
	if (force) {
		state_digest_t *grown =
		    realloc(p->replace, (p->replace_count + 1) * sizeof(*grown));
		if (grown == NULL)
			return;
		p->replace = grown;
		p->replace[p->replace_count++] = *d;
	}
	p->need_snapshot = true;
	p->resync = true;
	p->local_repair = p->local_repair || local;
	p->next_ms = 0;
}

/* One (table, origin) whose digest differs from the peer's while every cursor agrees.
 * Who repairs: the rows' origin is the authority on them; between two other regions, the
 * one with the greater name takes the other's copy (a total order: never both). */
static void divergence(repl_client_t *c, peer_t *p, const state_digest_t *ours,
		       const repl_digest_t *theirs)
{
	char mine[48], other[48];
	state_digest_t d;
	const char *table = ours ? ours->table : theirs->table;
	const char *origin = ours ? ours->origin : theirs->origin;
	memset(&d, 0, sizeof(d));
	snprintf(d.table, sizeof(d.table), "%s", table);
	snprintf(d.origin, sizeof(d.origin), "%s", origin);
	digest_text(ours, mine, sizeof(mine));
	if (theirs != NULL)
		snprintf(other, sizeof(other), "%" PRIu64 ":%016" PRIx64, theirs->rows, theirs->sum);
	else
		snprintf(other, sizeof(other), "0:0000000000000000");
	repl_stats_inc(c->stats, divergences, 1);
	log_error("divergence with peer %s: %s rows of origin %s differ (ours %s, theirs %s)"
		  " while every cursor agrees",
		  p->region, table, origin, mine, other);
	if (state_divergence_note(c->st, p->region, table, origin, mine, other) != 0)
		log_warn("cannot record the divergence: %s", state_errmsg(c->st));
	/* Both sides merge the other's rows (last writer wins: nothing is lost); ties are
	 * settled by the rows' origin, or between two other regions by the greater name
	 * taking the other's copy, so the two never both give way. */
	bool take = strcmp(origin, p->region) == 0 ||
		    (strcmp(origin, c->region) != 0 && strcmp(c->region, p->region) > 0);
	int64_t mono = repl_monotonic_ms();
	if (p->resync_ms != 0 && mono - p->resync_ms < REPL_RESYNC_MIN_MS)
		return;
	log_warn("re-syncing %s rows of origin %s from peer %s%s", table, origin, p->region,
		 take ? " (its copy wins ties)" : "");
	resync_ask(p, &d, false, take);
}

/* After a batch: when we hold exactly what the peer holds (every head equal to our
 * cursor, both ways), our digests must equal the ones it read with its heads. */
void repl_client_digest_compare(repl_client_t *c, peer_t *p, const repl_batch_t *b)
{
	state_cursor_t *held = NULL;
	state_digest_t *ours = NULL;
	size_t held_n = 0, ours_n = 0;
	bool same = b->has_digests && !b->more && !p->need_snapshot;
	if (!same || state_read_begin(c->st) != 0)
		return;
	if (state_cursors_list(c->st, &held, &held_n) != 0 ||
	    state_digests_list(c->st, &ours, &ours_n) != 0)
		same = false;
	state_read_end(c->st);
	same = same && held_n == b->head_count;
	for (size_t i = 0; same && i < held_n; i++) {
		size_t h;
		for (h = 0; h < b->head_count; h++)
			if (strcmp(b->heads[h].origin, held[i].origin) == 0)
				break;
		same = h < b->head_count && b->heads[h].seq == held[i].seq;
	}
	if (same) {
		size_t found = 0;
		for (size_t i = 0, j = 0; i < ours_n || j < b->digest_count;) {
			int cmp = i == ours_n		 ? 1
				  : j == b->digest_count ? -1
							 : strcmp(ours[i].table, b->digests[j].table);
			if (cmp == 0)
				cmp = strcmp(ours[i].origin, b->digests[j].origin);
			if (cmp == 0 && (uint64_t)ours[i].rows == b->digests[j].rows &&
			    ours[i].sum == b->digests[j].sum) {
				i++, j++;
				continue;
			}
			found++;
			divergence(c, p, cmp <= 0 ? &ours[i] : NULL,
				   cmp >= 0 ? &b->digests[j] : NULL);
			if (cmp <= 0)
				i++;
			if (cmp >= 0)
				j++;
		}
		if (found > 0)
			p->resync_ms = p->resync_ms == 0 || repl_monotonic_ms() - p->resync_ms >=
							      REPL_RESYNC_MIN_MS
					   ? repl_monotonic_ms()
					   : p->resync_ms;
		if (found == 0 && state_divergence_resolved(c->st, p->region) != 0)
			log_warn("cannot record the repair: %s", state_errmsg(c->st));
	}
	free(held);
	free(ours);
}

/* Every digest_check: recompute the digests from the tables. A difference means rows
 * were changed behind the library's back (sqlite3 by hand): logged, counted, recorded
 * as a divergence with "(local)", and repaired from a peer that has answered. */
void repl_client_digest_verify(repl_client_t *c, int64_t mono)
{
	state_digest_t *bad = NULL;
	size_t n = 0;
	if (c->digest_checked != 0 && mono - c->digest_checked < c->digest_check_ms)
		return;
	c->digest_checked = mono;
	if (state_digest_verify(c->st, &bad, &n) != 0) {
		log_warn("cannot recompute the digests: %s", state_errmsg(c->st));
		return;
	}
	peer_t *from = NULL;
	for (size_t i = 0; i < c->peer_count && from == NULL; i++)
		if (c->peers[i].answered)
			from = &c->peers[i];
	for (size_t i = 0; i < n; i++) {
		char now[48];
		digest_text(&bad[i], now, sizeof(now));
		repl_stats_inc(c->stats, divergences, 1);
		log_error("divergence: %s rows of origin %s were changed behind the replicator's"
			  " back (digest now %s)%s",
			  bad[i].table, bad[i].origin, now,
			  from ? "; re-syncing them from a peer" : "; no peer to repair from yet");
		if (state_divergence_note(c->st, "(local)", bad[i].table, bad[i].origin, now,
					  "") != 0)
			log_warn("cannot record the divergence: %s", state_errmsg(c->st));
		if (from != NULL)
			resync_ask(from, &bad[i], true, true);
	}
	free(bad);
}

