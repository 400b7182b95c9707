/* SPDX-License-Identifier: MIT */
/* repl_compact.c -- change-log compaction: entries every peer holds, and entries past retention */
#include "config.h"

#include "replicator/repl_compact.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define COMPACT_EVERY_MS 1000	 /* acknowledged entries: cheap, indexed deletes */
#define RETENTION_EVERY_MS 60000 /* entries past replication.retention */

/* The slot remembering origin's compacted floor, added at 0 when new; NULL when full. */
static repl_compacted_t *compacted_slot(repl_compact_t *cp, const char *origin)
{
	for (size_t j = 0; j < cp->compacted_count; j++)
		if (strcmp(cp->compacted[j].origin, origin) == 0)
			return &cp->compacted[j];
	if (cp->compacted_count == REPL_COMPACT_ORIGINS_MAX)
		return NULL;
	repl_compacted_t *c = &cp->compacted[cp->compacted_count++];
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->floor = 0;
	return c;
}

/* Entries of every origin that every configured peer reports holding. Returns how many
 * were removed. */
static uint64_t compact_acknowledged(repl_compact_t *cp, state_t *st, const conf_t *conf,
				     repl_http_server_t *srv)
{
	state_cursor_t *held = NULL;
	size_t n = 0;
	uint64_t removed = 0, total = 0;
	if (state_cursors_list(st, &held, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t floor = repl_http_server_acked_floor(
		    srv, held[i].origin, conf->replication.peers, conf->replication.peer_count);
		/* The newest entry of each origin stays: its hlc tells that origin, if its
		 * store is ever restored, whether its numbering collides. */
		if (floor >= held[i].seq)
			floor = held[i].seq - 1;
		repl_compacted_t *c = compacted_slot(cp, held[i].origin);
		if (c == NULL || floor <= c->floor)
			continue;
		if (state_changelog_compact_seq(st, held[i].origin, floor, &removed) != 0) {
			log_warn("compaction of %s failed: %s", held[i].origin, state_errmsg(st));
			continue;
		}
		c->floor = floor;
		total += removed;
	}
	free(held);
	return total;
}

void repl_compact_tick(repl_compact_t *cp, state_t *st, const conf_t *conf, repl_http_server_t *srv,
		       repl_stats_t *stats, int64_t now)
{
	uint64_t removed = 0, total = 0;

	if (now - cp->compacted_ms < COMPACT_EVERY_MS)
		return;
	cp->compacted_ms = now;
	/* What every peer reports holding of our origin in its pulls confirms our numbering
	 * up to there (once the identity check after start is done): a restored copy then
	 * moves only the writes no peer had seen, not ones identical to theirs. */
	if (srv != NULL && conf->replication.peer_count > 0 && atomic_load(&stats->own_checked)) {
		uint64_t own = repl_http_server_acked_floor(
		    srv, conf->region, conf->replication.peers, conf->replication.peer_count);
		if (own > 0 && state_identity_confirm(st, own) != 0)
			log_warn("cannot record what peers hold of %s: %s", conf->region,
				 state_errmsg(st));
	}
	if (srv != NULL && conf->replication.peer_count > 0)
		total += compact_acknowledged(cp, st, conf, srv);
	if (conf->replication.retention_ms > 0 && now - cp->retained_ms >= RETENTION_EVERY_MS) {
		cp->retained_ms = now;
		if (state_changelog_compact(st, conf->replication.retention_ms, &removed) != 0)
			log_warn("compaction by age failed: %s", state_errmsg(st));
		else
			total += removed;
	}
	if (total > 0) {
		repl_stats_inc(stats, compacted, total);
		log_info("compacted %" PRIu64
			 " change-log entries every peer holds or past retention",
			 total);
	}
}
