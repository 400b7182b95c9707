/* SPDX-License-Identifier: MIT */
/* repl_ratelog.h -- refusal log lines rate-limited: the first in full, then a summary per interval */
#ifndef MERIDIAN_REPL_RATELOG_H
#define MERIDIAN_REPL_RATELOG_H

#include <pthread.h>
#include <stdint.h>

#include "base/compiler.h"

/* Kinds of refusal, each limited on its own (a flood of one kind never hides another). */
typedef enum {
	REPL_REFUSAL_UNAUTHENTICATED = 0, /* missing or bad authentication */
	REPL_REFUSAL_STALE,		  /* message time outside the window */
	REPL_REFUSAL_REPLAY,		  /* nonce seen before or refused */
	REPL_REFUSAL_MALFORMED,		  /* bad JSON, fields or arguments */
	REPL_REFUSAL_OVERSIZED,		  /* body over the cap */
	REPL_REFUSAL_TRUNCATED,		  /* connection ended before the request did */
	REPL_REFUSAL_BUSY,		  /* connection refused: per-address or total limit */
	REPL_REFUSAL_SLOW,		  /* request not complete within request_timeout */
	REPL_REFUSAL_KINDS
} repl_refusal_t;

/* One kind's state: a full line is written when none was within the interval; later
 * ones are counted and summed up in one line once the interval has passed. */
typedef struct {
	int64_t logged_ms;   /* monotonic time of the last line of this kind, 0: none yet */
	uint64_t suppressed; /* refusals counted since, not logged */
	char last[160];	     /* the newest suppressed refusal, for the summary */
	uint64_t episode;    /* refusals since the first of this run of them, 0: quiet */
	int64_t started_ms;  /* monotonic time of that first refusal */
} repl_ratelog_kind_t;

/* Concurrency: any thread logs; lock guards kinds and interval_ms. */
typedef struct {
	pthread_mutex_t lock;			       /* guards the fields below */
	int64_t interval_ms;			       /* summary period, ms (>= 1) */
	repl_ratelog_kind_t kinds[REPL_REFUSAL_KINDS]; /* one per repl_refusal_t */
} repl_ratelog_t;

void repl_ratelog_init(repl_ratelog_t *rl, int64_t interval_ms) M_NONNULL_ALL;
void repl_ratelog_destroy(repl_ratelog_t *rl) M_NONNULL_ALL;
void repl_ratelog_set_interval(repl_ratelog_t *rl, int64_t interval_ms) M_NONNULL_ALL;
/* Logs a refusal (warn) "refused request from ..." or counts it for the next summary. */
void repl_ratelog_refusal(repl_ratelog_t *rl, repl_refusal_t kind, const char *fmt, ...)
    M_NONNULL(1, 3) M_PRINTF(3, 4);
/* Writes the summaries that are due ("N more refusals (KIND) in the last S s; the
 * newest: ..."); call it every few hundred ms. */
void repl_ratelog_flush(repl_ratelog_t *rl) M_NONNULL_ALL;

#endif
