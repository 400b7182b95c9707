/* SPDX-License-Identifier: MIT */
/* repl_gate.h -- who may hold a replication connection, and for how long */
#ifndef MERIDIAN_REPL_GATE_H
#define MERIDIAN_REPL_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "replicator/repl_ratelog.h"
#include "replicator/repl_stats.h"

#define REPL_GATE_GENERAL 64 /* connections anyone may hold */

/* Admission, in the accepting thread: a connection from an address that is not a
 * configured peer's is refused when that address holds connections_per_address or
 * everyone else holds REPL_GATE_GENERAL; peers' addresses (their URL hosts, resolved at
 * start and on reload) may also use the peer_connections kept for them. Each admitted
 * connection must complete each request (headers and body) within request_timeout of
 * its start (or of the end of the previous request on it): a reaper thread shuts the
 * socket of one that does not. Waiting for news (a long poll) is not part of the request.
 * Concurrency: lock guards the slots; the reaper also flushes the refusal log. */
typedef struct repl_gate repl_gate_t;

repl_gate_t *repl_gate_new(const conf_t *conf, repl_stats_t *stats, repl_ratelog_t *log) M_NONNULL_ALL M_WUR;
void repl_gate_reload(repl_gate_t *gate, const conf_t *conf) M_NONNULL_ALL;
/* The connection limit to give libmicrohttpd (every slot, peers' included). */
unsigned repl_gate_capacity(const repl_gate_t *gate) M_NONNULL_ALL;
/* Accept policy: true to admit a connection from addr. */
bool repl_gate_admit(repl_gate_t *gate, const struct sockaddr *addr, socklen_t len) M_NONNULL_ALL;
/* A connection was accepted (fd, address) / closed; *slot is the gate's handle for it. */
void repl_gate_opened(repl_gate_t *gate, int fd, const struct sockaddr *addr, void **slot) M_NONNULL(1, 4);
void repl_gate_closed(repl_gate_t *gate, void **slot) M_NONNULL_ALL;
/* The request on slot is complete (its deadline stops) / answered (the next one's starts). */
void repl_gate_request_complete(repl_gate_t *gate, void *slot) M_NONNULL(1);
void repl_gate_request_answered(repl_gate_t *gate, void *slot) M_NONNULL(1);
void repl_gate_free(repl_gate_t *gate);

#endif
