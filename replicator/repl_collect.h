/* SPDX-License-Identifier: MIT */
/* repl_collect.h -- what one pull gets: the entries after the puller's cursors, never across a hole */
#ifndef MERIDIAN_REPL_COLLECT_H
#define MERIDIAN_REPL_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/compiler.h"
#include "replicator/repl_codec.h"
#include "replicator/repl_stats.h"
#include "state/state.h"

/* Encodes into out a batch of region's: its heads, then entries of every origin held in
 * st (only those the pull lists, when only_listed) after the pull's cursors, at most max
 * and about REPL_BATCH_BYTES_SOFT bytes, each origin's dense from its cursor + 1.
 * 1: entries (or more) found; 0: nothing new; -1: error (msg); -2: the puller needs a
 * snapshot of origin need (STATE_NAME_MAX bytes): what comes after its cursor is not
 * held here (compacted, or a hole a snapshot import left). An origin's jump to a new
 * incarnation (state_seq_is_incarnation_start) is no hole. Our own entries are held back
 * until stats->own_checked (what peers hold of our origin is known); the puller's own
 * origin is never sent back to it. */
int repl_collect(state_t *st, const char *region, const char *puller, repl_stats_t *stats,
		 const repl_pull_t *pull, bool only_listed, size_t max, repl_buf_t *out, char *msg,
		 size_t msglen, char *need)
    M_NONNULL_ALL M_WUR;

#endif
