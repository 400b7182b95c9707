/* SPDX-License-Identifier: MIT */
/* repl_collect.c -- what one pull gets: the entries after the puller's cursors, never across a hole */
#include "config.h"

#include "replicator/repl_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int repl_collect(state_t *st, const char *region, const char *puller, repl_stats_t *stats,
		 const repl_pull_t *pull, bool only_listed, size_t max, repl_buf_t *out, char *msg,
		 size_t msglen, char *need)
{
	state_cursor_t *heads = NULL;
	size_t head_count = 0, sent = 0;
	bool more = false;
	int rc = -1;

	state_digest_t *digests = NULL;
	size_t digest_count = 0;

	/* Heads, entries and digests from one read transaction: a puller that holds every
	 * head may compare its digests with these. */
	if (state_read_begin(st) != 0) {
		snprintf(msg, msglen, "cannot read the store: %s", state_errmsg(st));
		return -1;
	}
	if (state_cursors_list(st, &heads, &head_count) != 0) {
		snprintf(msg, msglen, "cannot list cursors: %s", state_errmsg(st));
		state_read_end(st);
		return -1;
	}
	if (repl_batch_encode_begin(out, region, wall_ms(), heads,
				    head_count < REPL_ORIGINS_MAX ? head_count
								  : REPL_ORIGINS_MAX) != 0) {
		snprintf(msg, msglen, "response too large");
		goto out;
	}
	for (size_t i = 0; i < head_count; i++) {
		uint64_t after = 0, first = 0, last = 0;
		bool listed = false;
		for (size_t j = 0; j < pull->count; j++)
			if (strcmp(pull->cursors[j].origin, heads[i].origin) == 0) {
				after = pull->cursors[j].seq;
				listed = true;
			}
		if ((only_listed && !listed) || after >= heads[i].seq)
			continue;
		if (strcmp(heads[i].origin, region) == 0 && !atomic_load(&stats->own_checked))
			continue;
		/* The puller never applies its own origin from us (its heads say what we hold). */
		if (strcmp(heads[i].origin, puller) == 0)
			continue;
		if (sent >= max || out->len >= REPL_BATCH_BYTES_SOFT) {
			more = true;
			break;
		}
		if (state_changelog_range(st, heads[i].origin, &first, &last) != 0) {
			snprintf(msg, msglen, "cannot read the change log: %s", state_errmsg(st));
			goto out;
		}
		if (first == 0 || after + 1 < first) {
			snprintf(need, STATE_NAME_MAX, "%s", heads[i].origin);
			rc = -2;
			goto out;
		}
		state_change_t *changes = NULL;
		size_t n = 0;
		if (state_changes_since(st, heads[i].origin, after, max - sent, &changes, &n) !=
		    0) {
			snprintf(msg, msglen, "cannot read the change log: %s", state_errmsg(st));
			goto out;
		}
		/* Never serve across a hole (a snapshot import or a compaction left one): the
		 * puller would refuse the batch, and every origin with it. What comes first
		 * must be after + 1; a gap later ends the batch, and the next pull, starting
		 * at the hole, is sent to bootstrap. */
		if (n == 0 || (changes[0].seq != after + 1 &&
			       !state_seq_is_incarnation_start(changes[0].seq))) {
			state_changes_free(changes, n);
			snprintf(need, STATE_NAME_MAX, "%s", heads[i].origin);
			rc = -2;
			goto out;
		}
		size_t k;
		for (k = 0; k < n && out->len < REPL_BATCH_BYTES_SOFT; k++) {
			if (k > 0 && changes[k].seq != changes[k - 1].seq + 1 &&
			    !state_seq_is_incarnation_start(changes[k].seq)) {
				more = true;
				break;
			}
			if (repl_batch_encode_entry(out, &changes[k], sent + k == 0) != 0)
				break;
		}
		sent += k;
		if (k < n || (n > 0 && changes[n - 1].seq < heads[i].seq))
			more = true;
		state_changes_free(changes, n);
		if (out->overflow) {
			snprintf(msg, msglen, "response too large");
			goto out;
		}
	}
	if (state_digests_list(st, &digests, &digest_count) != 0) {
		snprintf(msg, msglen, "cannot read digests: %s", state_errmsg(st));
		goto out;
	}
	/* What we hold of the puller's own origin, with the hlc of its newest entry: a
	 * restored puller compares it with its own entry of that seq. */
	uint64_t you[2] = {0, 0};
	bool has_you = false;
	for (size_t i = 0; i < head_count && !has_you; i++) {
		state_change_t *newest = NULL;
		size_t got = 0;
		if (strcmp(heads[i].origin, puller) != 0)
			continue;
		has_you = true;
		you[0] = heads[i].seq;
		if (heads[i].seq > 0 &&
		    state_changes_since(st, puller, heads[i].seq - 1, 1, &newest, &got) == 0 &&
		    got == 1 && newest[0].seq == heads[i].seq)
			you[1] = newest[0].hlc;
		state_changes_free(newest, got);
	}
	if (repl_batch_encode_end_digests(out, more, digests, digest_count,
					  has_you ? you : NULL) != 0) {
		snprintf(msg, msglen, "response too large");
		goto out;
	}
	repl_stats_inc(stats, entries_served, sent);
	repl_stats_inc(stats, bytes_sent, out->len);
	rc = sent > 0 || more ? 1 : 0;
out:
	state_read_end(st);
	free(digests);
	free(heads);
	return rc;
}

