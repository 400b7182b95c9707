/* SPDX-License-Identifier: MIT */
/* repl_stats.h -- replicator counters: what was served, applied, and refused and why */
#ifndef MERIDIAN_REPL_STATS_H
#define MERIDIAN_REPL_STATS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/compiler.h"
#include "replicator/repl_buf.h"

/* Process-wide counters since start. Any thread increments them (relaxed atomics: each
 * is an independent tally, read only for reporting). Refusals count input from peers,
 * requests (server side) and responses (client side) alike. */
#define REPL_STATS_FIELDS(X)                                                                       \
	X(requests)		   /* authenticated requests served */                             \
	X(entries_served)	   /* change-log entries sent to peers */                          \
	X(snapshots_served)	   /* snapshots sent to peers */                                   \
	X(pulls)		   /* responses received from peers and accepted */                \
	X(entries_applied)	   /* entries newly applied here */                                \
	X(batches_applied)	   /* non-empty batches committed */                               \
	X(snapshots_imported)	   /* bootstraps from a peer's snapshot */                         \
	X(pull_errors)		   /* transport errors and error statuses talking to peers */      \
	X(apply_errors)		   /* batches the state library refused (gap, bad row) */          \
	X(refused_unauthenticated) /* missing or wrong signature headers */                        \
	X(refused_stale)	   /* message time outside the window */                           \
	X(refused_replay)	   /* nonce seen before within the window */                       \
	X(refused_malformed)	   /* bad JSON or fields */                                        \
	X(refused_oversized)	   /* body over the cap */                                         \
	X(refused_truncated)	   /* body shorter than announced */                               \
	X(refused_clock)	   /* an entry HLC too far ahead of local time */                  \
	X(refused_busy)		   /* connections refused: per-address or total limit */           \
	X(refused_slow)		   /* connections shut: request not complete within the deadline */ \
	X(compacted)		   /* change-log entries removed by compaction */                  \
	X(bytes_sent)		   /* body bytes of change-log and snapshot responses served */    \
	X(bytes_received)	   /* body bytes of responses accepted from peers */ \
	X(incarnations)		   /* new incarnations started: our store was new or restored */   \
	X(divergences)		   /* digests that differed while cursors said in sync */          \
	X(resyncs)		   /* targeted re-syncs (snapshot imports) run to repair them */

#define REPL_LAG_MAX 256 /* (peer, origin) pairs tracked; more are not shown */
#define REPL_HEARD_MAX 64 /* peers whose last request is remembered; more are not */

/* When a peer's last authenticated request reached our server: the client retries a peer
 * it was backing off from (or still connecting to) as soon as that peer reaches us, so a
 * healed path or a restarted peer is pulled from at once rather than after a backoff. */
typedef struct {
	char peer[64];	 /* the peer's region, as it signed its request */
	int64_t mono_ms; /* monotonic ms of its last authenticated request */
} repl_heard_t;

/* How far this region is behind one peer for one origin, after the last pull from it. */
typedef struct {
	char peer[64];	    /* the peer's region */
	char origin[64];    /* whose change log */
	uint64_t behind;    /* entries the peer holds that we do not yet, >= 0 */
	int64_t lag_ms;	    /* now minus the newest received entry's HLC time; 0 when caught up */
	int64_t updated_ms; /* wall clock of the pull, ms since epoch */
} repl_lag_t;

typedef struct {
#define REPL_STATS_DECLARE(name) _Atomic uint64_t name;
	REPL_STATS_FIELDS(REPL_STATS_DECLARE)
#undef REPL_STATS_DECLARE
	/* 0 until every peer has answered once since start, telling what it holds of our
	 * origin (and a colliding numbering was moved): until then our own entries are not
	 * served. Written by the client, read by the server. */
	atomic_bool own_checked;
	pthread_mutex_t lag_lock;     /* guards lag, lag_count */
	repl_lag_t lag[REPL_LAG_MAX]; /* written by the client thread, read by the server */
	size_t lag_count;	      /* entries used in lag, 0..REPL_LAG_MAX */
	repl_heard_t heard[REPL_HEARD_MAX]; /* guarded by lag_lock; written by the server */
	size_t heard_count;		    /* entries used in heard, 0..REPL_HEARD_MAX */
} repl_stats_t;

void repl_stats_init(repl_stats_t *stats) M_NONNULL_ALL;
void repl_stats_destroy(repl_stats_t *stats) M_NONNULL_ALL;
/* Records the lag of origin as seen from peer (the client, after each pull). */
void repl_stats_lag_set(repl_stats_t *stats, const char *peer, const char *origin, uint64_t behind,
			int64_t lag_ms, int64_t now_ms) M_NONNULL_ALL;

/* The server, after authenticating a request of peer: it reached us at mono_ms. */
void repl_stats_heard_set(repl_stats_t *stats, const char *peer, int64_t mono_ms) M_NONNULL_ALL;
/* Monotonic ms of peer's last authenticated request to us, 0 when none since start. */
int64_t repl_stats_heard_get(repl_stats_t *stats, const char *peer) M_NONNULL_ALL;

#define repl_stats_inc(stats, field, n)                                                            \
	atomic_fetch_add_explicit(&(stats)->field, (n), memory_order_relaxed)

/* Appends {"requests":N,...,"lag":[{"peer":P,"origin":O,"behind":N,"lag_ms":MS,"updated_ms":T}..]}
 * to out. */
int repl_stats_json(repl_stats_t *stats, repl_buf_t *out) M_NONNULL_ALL M_WUR;

#endif
