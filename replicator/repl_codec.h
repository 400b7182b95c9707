/* SPDX-License-Identifier: MIT */
/* repl_codec.h -- the JSON wire format of pull requests, change batches and cursors */
#ifndef MERIDIAN_REPL_CODEC_H
#define MERIDIAN_REPL_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "replicator/repl_buf.h"
#include "state/state.h"

#define REPL_ORIGINS_MAX 256		  /* origins one request or response may name */
#define REPL_REQUEST_BODY_MAX 65536	  /* bytes; larger request bodies are refused */
#define REPL_RESPONSE_BODY_MAX (2u << 20) /* bytes; a larger response is cut off and refused */
#define REPL_BATCH_BYTES_SOFT (1u << 20)  /* a server stops adding entries past this */
#define REPL_ROW_MAX 16384		  /* bytes of one entry's row */

/* How far one origin's log has been received travels as a state_cursor_t (state.h):
 * every seq <= seq is held; 0 when none (on the wire a puller may name an origin it
 * holds nothing of). */

/* A pull: "send me entries after these cursors, of these and any other origin". */
typedef struct {
	state_cursor_t cursors[REPL_ORIGINS_MAX]; /* origins the puller holds */
	size_t count;				 /* 0..REPL_ORIGINS_MAX */
	uint32_t max;				 /* entries wanted, 1..100000 */
	uint32_t wait_ms;			 /* long-poll time when nothing is new, 0..600000 */
} repl_pull_t;

#define REPL_DIGESTS_MAX 1024 /* (table, origin) digests one batch may carry */

/* The anti-entropy digest of one replicated table's rows of one origin (state_digest_t). */
typedef struct {
	char table[32];		     /* replicated table */
	char origin[STATE_NAME_MAX]; /* the rows' origin */
	uint64_t rows;		     /* row count */
	uint64_t sum;		     /* XOR of the rows' hashes */
} repl_digest_t;

/* One response to a pull. */
typedef struct {
	char region[STATE_NAME_MAX];	       /* the responder */
	int64_t now_ms;			       /* responder's clock when it answered */
	bool more;			       /* more entries were ready than sent */
	state_cursor_t heads[REPL_ORIGINS_MAX]; /* responder's highest seq per origin */
	size_t head_count;		       /* entries used in heads, 0..REPL_ORIGINS_MAX */
	state_change_t *entries; /* malloc'd, row_json malloc'd each */
	size_t count;		 /* entries in entries, 0..the pull's max */
	bool has_you;		 /* the responder sent "you": its newest entry of our origin */
	uint64_t you_seq;	 /* that entry's seq (the responder's head of our origin) */
	uint64_t you_hlc;	 /* and its hlc, 0 when no longer in its log */
	bool has_digests;	 /* the responder sent its digests (read with its heads) */
	repl_digest_t *digests;	 /* malloc'd, digest_count entries */
	size_t digest_count;	 /* 0..REPL_DIGESTS_MAX */
} repl_batch_t;

/* Region ids on the wire: 1..63 of [A-Za-z0-9_.-]. */
bool repl_origin_valid(const char *origin) M_NONNULL_ALL M_PURE;

int repl_pull_encode(const repl_pull_t *pull, repl_buf_t *out) M_NONNULL_ALL M_WUR;
/* 0, or -1 with err saying what is wrong. */
int repl_pull_decode(const char *text, size_t len, repl_pull_t *pull, char *err, size_t errlen)
    M_NONNULL(1, 3, 4) M_WUR;

/* Writes the opening of a batch (everything before the first entry). */
int repl_batch_encode_begin(repl_buf_t *out, const char *region, int64_t now_ms,
			    const state_cursor_t *heads, size_t head_count) M_NONNULL(1, 2) M_WUR;
/* Appends one entry; first says whether it is the first. */
int repl_batch_encode_entry(repl_buf_t *out, const state_change_t *change,
			    bool first) M_NONNULL_ALL M_WUR;
int repl_batch_encode_end(repl_buf_t *out, bool more) M_NONNULL_ALL M_WUR;
/* The same, with the responder's digests, read in the same transaction as its heads:
 * "digests":[[TABLE,ORIGIN,ROWS,SUM],...], and when you is not NULL "you":[SEQ,HLC]: our
 * newest entry of the puller's own origin (its hlc 0 when no longer in our log). */
int repl_batch_encode_end_digests(repl_buf_t *out, bool more, const state_digest_t *digests,
				  size_t count, const uint64_t *you) M_NONNULL(1) M_WUR;

/* Decodes a batch holding at most max_entries entries. Each entry must be well formed
 * (origin, seq >= 1, hlc > 0, table, key, row an object or null). 0, or -1 with err. */
int repl_batch_decode(const char *text, size_t len, size_t max_entries, repl_batch_t *batch,
		      char *err, size_t errlen) M_NONNULL(1, 4, 5) M_WUR;
void repl_batch_free(repl_batch_t *batch);

#endif
