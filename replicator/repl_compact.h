/* SPDX-License-Identifier: MIT */
/* repl_compact.h -- change-log compaction: entries every peer holds, and entries past retention */
#ifndef MERIDIAN_REPL_COMPACT_H
#define MERIDIAN_REPL_COMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "replicator/repl_http_server.h"
#include "replicator/repl_stats.h"
#include "state/state.h"

#define REPL_COMPACT_ORIGINS_MAX 256 /* origins whose compacted floor is remembered */

/* The highest seq already compacted away for one origin, so an unchanged floor costs
 * no write transaction. */
typedef struct {
	char origin[STATE_NAME_MAX]; /* the region whose entries these are */
	uint64_t floor;		     /* entries with seq <= floor are gone */
} repl_compacted_t;

/* What compaction has done so far. Owned by the client thread (the tick runs there, on
 * its connection); both times set to the start, so the first compaction comes a period
 * after it, once peers have said what they hold. */
typedef struct {
	int64_t compacted_ms; /* monotonic time of the last acknowledged compaction */
	int64_t retained_ms;  /* monotonic time of the last compaction by age */
	repl_compacted_t compacted[REPL_COMPACT_ORIGINS_MAX]; /* per origin, what is gone */
	size_t compacted_count;				      /* entries used in compacted */
} repl_compact_t;

/* Once a second: confirms our numbering up to what every peer reports holding of our
 * origin (once the identity check after start is done), and removes the entries of each
 * origin every configured peer has reported holding, keeping each origin's newest; once
 * a minute, entries older than replication.retention whatever peers hold. srv NULL (no
 * listener): nothing is known of what peers hold, only retention applies. Counts and
 * logs what was removed. */
void repl_compact_tick(repl_compact_t *cp, state_t *st, const conf_t *conf, repl_http_server_t *srv,
		       repl_stats_t *stats, int64_t mono_ms) M_NONNULL(1, 2, 3, 5);

#endif
