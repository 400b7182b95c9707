/* SPDX-License-Identifier: MIT */
/* repl_client_status.c -- what the pull client records of each peer: status rows, progress per origin */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "replicator/repl_client_internal.h"

#define STATUS_WRITE_MS 1000 /* peer status rows are refreshed at most this often */

/* Figures are noted in memory while a batch is handled and written with the peer's row,
 * in their own transaction: at most once a second per peer, at once on errors, never
 * inside the apply transaction (docs/replication.md "Peer status"). Client thread only. */

/* The row of origin in p->origins, added when new; NULL when full or out of memory (the
 * origin then goes unrecorded in SQLite; /v1/stats still shows it). */
state_peer_origin_t *repl_client_origin_row(peer_t *p, const char *origin)
{
	for (size_t i = 0; i < p->origin_count; i++)
		if (strcmp(p->origins[i].origin, origin) == 0)
			return &p->origins[i];
	if (p->origin_count >= REPL_ORIGINS_MAX)
		return NULL;
	state_peer_origin_t *grown = realloc(p->origins, (p->origin_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	p->origins = grown;
	state_peer_origin_t *r = &p->origins[p->origin_count++];
	memset(r, 0, sizeof(*r));
	snprintf(r->peer, sizeof(r->peer), "%s", p->region);
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	r->lag_ms = -1;
	return r;
}

/* Remembers one origin's progress for the next status write: memory only, so recording
 * costs nothing on the apply path. */
static void origin_note(peer_t *p, const char *origin, uint64_t peer_seq, uint64_t held,
			uint64_t behind, uint64_t newest, int64_t lag, int64_t now)
{
	state_peer_origin_t *r = repl_client_origin_row(p, origin);
	if (r == NULL)
		return;
	r->peer_seq = peer_seq;
	r->local_seq = held;
	r->behind = behind;
	if (newest > r->newest_hlc)
		r->newest_hlc = newest;
	r->lag_ms = lag;
	r->updated_ms = now;
}

/* Per origin the peer holds: entries still missing here and the age of the newest one
 * received. Returns the worst lag, which is what the peer's status row keeps. */
int64_t repl_client_lag_record(repl_client_t *c, peer_t *p, const repl_batch_t *b, int64_t now)
{
	int64_t worst = 0;
	for (size_t h = 0; h < b->head_count; h++) {
		uint64_t held = 0, newest = 0;
		if (state_cursor_get(c->st, b->heads[h].origin, &held) != 0)
			continue;
		for (size_t i = 0; i < b->count; i++)
			if (strcmp(b->entries[i].origin, b->heads[h].origin) == 0 &&
			    b->entries[i].hlc > newest)
				newest = b->entries[i].hlc;
		uint64_t behind = b->heads[h].seq > held ? b->heads[h].seq - held : 0;
		int64_t lag = 0;
		if (newest > 0 && now > (int64_t)(newest >> 16))
			lag = now - (int64_t)(newest >> 16);
		if (behind == 0 && newest == 0)
			lag = 0;
		repl_stats_lag_set(c->stats, p->region, b->heads[h].origin, behind, lag, now);
		origin_note(p, b->heads[h].origin, b->heads[h].seq, held, behind, newest, lag, now);
		if (lag > worst)
			worst = lag;
	}
	return worst;
}

void repl_client_status_flush(repl_client_t *c, peer_t *p, int64_t mono, bool force)
{
	if (!p->status_dirty ||
	    (!force && p->status_written_ms != 0 && mono - p->status_written_ms < STATUS_WRITE_MS))
		return;
	if (state_peer_update(c->st, &p->status) != 0) {
		log_warn("peer %s: cannot record its status: %s", p->region, state_errmsg(c->st));
		return;
	}
	/* Every status write refreshes updated_ms of the origins too (a pull happened); the
	 * rate limit above bounds both to one write a second per peer. */
	if (p->origin_count > 0 &&
	    state_peer_origins_update(c->st, p->region, p->origins, p->origin_count) != 0) {
		log_warn("peer %s: cannot record its progress per origin: %s", p->region,
			 state_errmsg(c->st));
		return;
	}
	p->status_dirty = false;
	p->status_written_ms = mono;
}

