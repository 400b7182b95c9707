/* SPDX-License-Identifier: MIT */
/* repl_client_internal.h -- the pull client's state, shared by repl_client.c and repl_client_check.c */
#ifndef MERIDIAN_REPL_CLIENT_INTERNAL_H
#define MERIDIAN_REPL_CLIENT_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "base/log_repeat.h"
#include "replicator/repl_client.h"
#include "replicator/repl_codec.h"
#include "state/state.h"

#define REPL_SEEN_NONCES 64 /* response nonces remembered per peer */
/* Our own entries are served once every peer has said what it holds of our origin, or
 * every one answered or failed and one answered, or, past this many ms after start, once
 * any one has. */
#define REPL_IDENTITY_WAIT_MS 3000
#define REPL_RESYNC_MIN_MS 5000 /* at most one re-sync per peer this often */

/* One peer and the request in flight to it, if any. */
typedef struct {
	char region[STATE_NAME_MAX]; /* the peer's region id, as configured */
	char *url;  /* base URL without a trailing slash */
	CURL *easy; /* the request in flight, NULL when idle */
	struct curl_slist *headers; /* signed request headers; alive while in flight */
	repl_buf_t request; /* request body; alive while in flight */
	repl_buf_t body;    /* response body, capped */
	char curl_error[CURL_ERROR_SIZE];   /* libcurl's message for the request in flight */
	char req_nonce[REPL_NONCE_HEX + 1]; /* our request's nonce: the response must sign it */
	/* The response's authentication headers as received, "" until seen; a longer
	 * value is cut to the buffer and then fails verification. */
	char h_region[STATE_NAME_MAX];
	char h_time[24];
	char h_nonce[REPL_NONCE_HEX + 8];
	char h_sig[REPL_SIG_HEX + 8];
	/* The last response nonces of this peer, a ring: a repeated one is refused. A
	 * response's signature covers our request's fresh nonce, so no response can be
	 * replayed onto another request; this only catches a peer repeating itself, and
	 * costs nothing per response whatever the rate (no shared cache to fill). */
	char seen[REPL_SEEN_NONCES][REPL_NONCE_HEX + 1];
	size_t seen_next; /* next slot of seen to overwrite */
	bool snapshot;		   /* the request in flight is a snapshot fetch */
	bool need_snapshot;	   /* the peer said we are behind its log */
	uint32_t asked_max;	   /* entries the pull asked for */
	uint32_t asked_wait_ms;	   /* how long the pull in flight asked the peer to wait */
	bool answering;		   /* a header of the answer to the request in flight came */
	bool connected;		   /* the request in flight has its connection (new or reused) */
	int64_t first_byte_ms;	   /* monotonic: the first header of the answer in flight came */
	uint32_t margin_ms; /* answer deadline past the wait: 1000..8000, 0 before the first */
	int64_t heard_ms; /* monotonic: the peer's last request to us that we acted on */
	int64_t next_ms;	   /* monotonic: earliest start of the next request */
	int64_t started_ms;	   /* monotonic: when the request in flight started */
	uint32_t backoff_ms;	   /* 0 after a success */
	state_peer_t status;	   /* what `meridianctl peers` shows */
	int64_t status_written_ms; /* monotonic; 0: never */
	bool status_dirty;	   /* status changed since status_written_ms */
	/* Progress per origin the peer reported, written with status (never while applying);
	 * malloc'd, at most REPL_ORIGINS_MAX, grown as the peer names new origins. */
	state_peer_origin_t *origins;
	size_t origin_count; /* entries used in origins */
	bool answered;	     /* a batch came back since start: we know what it holds of us */
	bool failed;	     /* a request to it failed since start (refused, unreachable) */
	/* Its answer was judged before our own entries were served (repl_identity_judge):
	 * what it holds of our origin beyond that came from us. */
	bool vetted;
	/* (table, origin) whose rows the next snapshot from this peer replaces (a targeted
	 * re-sync after a divergence); malloc'd, NULL when none. */
	state_digest_t *replace;
	size_t replace_count; /* entries in replace */
	bool resync;	      /* the next snapshot is a re-sync after a divergence */
	bool local_repair;    /* that re-sync repairs our own tables (a local divergence) */
	log_repeat_t unreachable; /* failures: logged once, summarised, the recovery logged */
	int64_t resync_ms;    /* monotonic ms of the last re-sync asked after a divergence */
} peer_t;

/* The pull loop. Everything is the client thread's own, except stop (set by any thread)
 * and key, watch and stats, which the daemon owns and outlives the client with. */
struct repl_client {
	char region[STATE_NAME_MAX]; /* this node's region */
	char *state_path;	     /* the SQLite file; the thread opens st on it */
	char *tls_ca;		     /* CA file for https peers, or NULL for the system's */
	char *source_address;	     /* "host!ADDR" pulls leave from, or NULL: the kernel's */
	unsigned jitter_seed;	     /* rand_r state for the backoff jitter */
	uint32_t batch_max;	     /* entries asked per pull; default 500 */
	uint32_t long_poll_ms;	     /* how long a peer may hold a pull with nothing new */
	int64_t skew_ms;	     /* accepted clock difference, ms; default 30000 */
	uint32_t warn_every_ms;	     /* a peer's repeated failures are summarised this often */
	const repl_key_t *key;	     /* shared secret that signs requests and responses */
	repl_watch_t *watch;	     /* notified after applying, so our own long polls relay */
	repl_stats_t *stats;	     /* counters and per-origin lag, read by the server */
	peer_t *peers;		     /* malloc'd, one per configured peer */
	size_t peer_count;	     /* entries in peers */
	CURLM *multi;		     /* runs every peer's request at once */
	state_t *st;		     /* the client's own read-write connection */
	atomic_bool stop;	     /* set by repl_client_stop; the loop returns soon after */
	uint64_t confirmed;	     /* own_confirmed as last written */
	int64_t started_ms;	     /* monotonic ms the loop started */
	int64_t digest_check_ms;     /* how often the digests are recomputed from the tables */
	int64_t digest_checked;	     /* monotonic ms of the last recompute, 0: never */
	repl_client_tick_fn tick;    /* called once a loop turn with st, or NULL */
	void *tick_arg;		     /* passed to tick */
};

/* repl_client_status.c. The row of origin in p->origins, added when new; NULL when full
 * or out of memory. */
state_peer_origin_t *repl_client_origin_row(peer_t *p, const char *origin) M_NONNULL_ALL;
/* Notes per origin the peer holds what is still missing here and the age of the newest
 * entry received (memory only); returns the worst lag, kept in the peer's status row. */
int64_t repl_client_lag_record(repl_client_t *c, peer_t *p, const repl_batch_t *b,
			       int64_t wall_now_ms) M_NONNULL_ALL;
/* Writes p's status row and its origins if they changed, at most once a second unless
 * force (errors, stop). */
void repl_client_status_flush(repl_client_t *c, peer_t *p, int64_t mono_ms,
			      bool force) M_NONNULL_ALL;

/* After a batch from p: what it holds of our own origin (a new incarnation when it holds
 * more than we do; our own entries are served once every peer has answered). */
void repl_client_identity_check(repl_client_t *c, peer_t *p, const repl_batch_t *b) M_NONNULL_ALL;
/* Serves our own entries once the peers have said what they hold of our origin (or
 * could not: see the rule in repl_client_check.c); after each answer and each failure. */
void repl_client_identity_gate(repl_client_t *c) M_NONNULL_ALL;
/* After a batch from p: compare digests when every cursor agrees; divergences recorded and
 * re-synced. */
void repl_client_digest_compare(repl_client_t *c, peer_t *p, const repl_batch_t *b) M_NONNULL_ALL;
/* Every digest_check: recompute the digests from the tables; differences re-synced. */
void repl_client_digest_verify(repl_client_t *c, int64_t mono_ms) M_NONNULL_ALL;

#endif
