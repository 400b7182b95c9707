/* SPDX-License-Identifier: MIT */
/* repl_client.h -- the pull loop: long-polls every peer (libcurl multi) and applies what comes */
#ifndef MERIDIAN_REPL_CLIENT_H
#define MERIDIAN_REPL_CLIENT_H

#include <stddef.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "replicator/repl_auth.h"
#include "replicator/repl_stats.h"
#include "replicator/repl_watch.h"
#include "state/state.h"

/* One thread runs repl_client_run(): it keeps one long poll open to every peer, sending
 * this store's cursor of every origin it holds; each response is verified (signature,
 * time, nonce, JSON, entry clocks) and applied in one transaction through
 * state_changes_apply, so a kill at any point loses or doubles nothing. A 409 from a
 * peer (we are behind its retained log) bootstraps from its /v1/snapshot.
 * Concurrency: repl_client_run() owns everything; repl_client_stop() may be called
 * from another thread. */
typedef struct repl_client repl_client_t;

/* Hook called after each loop iteration (compaction timer); may be NULL. */
typedef void (*repl_client_tick_fn)(void *arg, state_t *st);

/* Copies what it needs from conf; key, watch and stats must outlive it. */
repl_client_t *repl_client_new(const conf_t *conf, const repl_key_t *key, repl_watch_t *watch,
			       repl_stats_t *stats, char *err, size_t errlen) M_NONNULL_ALL M_WUR;
void repl_client_set_tick(repl_client_t *c, repl_client_tick_fn fn, void *arg) M_NONNULL(1);
/* Runs until repl_client_stop(). 0, or -1 when it could not start. */
int repl_client_run(repl_client_t *c) M_NONNULL_ALL M_WUR;
/* Asks the loop to return soon (any thread). */
void repl_client_stop(repl_client_t *c) M_NONNULL_ALL;
void repl_client_free(repl_client_t *c);

#endif
