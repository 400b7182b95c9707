/* SPDX-License-Identifier: MIT */
/* repl_http_server.h -- the replication HTTP API other regions pull from (libmicrohttpd) */
#ifndef MERIDIAN_REPL_HTTP_SERVER_H
#define MERIDIAN_REPL_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "replicator/repl_auth.h"
#include "replicator/repl_stats.h"
#include "replicator/repl_watch.h"

/* Endpoints (every request and response signed, see repl_auth.h):
 *   POST /v1/changes   body {"cursors":{ORIGIN:SEQ..},"max":N,"wait_ms":MS}: entries of
 *                      every origin held here after the puller's cursors (absent = 0)
 *   GET  /v1/changes?origin=X&after=SEQ&max=N&wait=MS: the same for one origin
 *   GET  /v1/cursors   {"region":R,"cursors":{ORIGIN:SEQ..}}
 *   GET  /v1/snapshot  a consistent snapshot of every replicated row, for bootstrap
 *   GET  /v1/stats     the counters of repl_stats.h
 * A pull waits (long poll) up to min(wait, long_poll_ms) for news; 409 says the puller
 * is behind the retained log and must bootstrap from /v1/snapshot.
 * Concurrency: one thread per connection (bounded); each borrows a read-only state
 * connection from a pool; waits sleep on the watch's condition variable. */
typedef struct repl_http_server repl_http_server_t;

/* Starts listening on conf->replication.listen. NULL and err on failure. The watch,
 * stats and conf must outlive the server. */
repl_http_server_t *repl_http_server_start(const conf_t *conf, const repl_key_t *key,
					   repl_watch_t *watch, repl_stats_t *stats, char *err,
					   size_t errlen) M_NONNULL_ALL M_WUR;
/* The address the server listens on, "HOST:PORT" or "[HOST]:PORT", with the port it
 * bound (replication.listen may ask for port 0: the kernel picks one, and
 * repl_http_server_start logs "listening on" this address). Valid until repl_http_server_stop. */
const char *repl_http_server_address(const repl_http_server_t *srv) M_NONNULL_ALL M_WUR;
/* Replaces the key (SIGHUP) and the tunables taken from conf. */
void repl_http_server_reload(repl_http_server_t *srv, const conf_t *conf,
			     const repl_key_t *key) M_NONNULL_ALL;
/* Highest seq of origin that every one of the peers has reported holding (in its pulls),
 * 0 when some peer has not reported it: entries up to it may be compacted. */
uint64_t repl_http_server_acked_floor(repl_http_server_t *srv, const char *origin,
				      const conf_peer_t *peers, size_t peer_count) M_NONNULL(1, 2);
/* Stops (the watch must already be shut down so long polls return), frees. */
void repl_http_server_stop(repl_http_server_t *srv);

#endif
