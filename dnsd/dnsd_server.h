/* SPDX-License-Identifier: MIT */
/* dnsd_server.h -- the listening side of meridian-dnsd: UDP workers and the TCP loop */
#ifndef MERIDIAN_DNSD_SERVER_H
#define MERIDIAN_DNSD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"

/* Concurrency: dnsd_server_start() binds every socket on the calling thread (so bind
 * errors are reported synchronously), then starts `threads` UDP workers and one TCP
 * event-loop thread. Each of those threads is a registered liburcu-qsbr reader: it reads
 * dnsd_snapshot_current once per batch (UDP) or per event round (TCP), and announces a
 * quiescent state after each batch and goes offline while it blocks in poll/epoll, so a
 * loader's synchronize_rcu() never waits for network traffic. Nothing on those threads
 * allocates or takes a lock per query. dnsd_server_stop() wakes every thread through an
 * eventfd, joins them, closes the sockets and frees everything. */
typedef struct dnsd_server dnsd_server_t;

/* Largest UDP datagram we read or write; bigger queries are malformed for us anyway. */
#define DNSD_SERVER_UDP_MAX 4096
/* Messages per recvmmsg/sendmmsg batch. */
#define DNSD_SERVER_BATCH 32

/* Binds UDP (one SO_REUSEPORT socket per worker per address) and TCP listeners on every
 * address, then starts the threads. threads == 0 means one per CPU in our affinity mask.
 * Returns NULL and fills err ("ADDR: bind: Address already in use") on failure. */
dnsd_server_t *dnsd_server_start(const conf_sockaddr_t *listen, size_t listen_count,
				 unsigned threads, char *err, size_t errlen) M_NONNULL(1, 4) M_WUR;

/* Stops every thread, closes every socket, logs the query counters and frees the
 * server; NULL is fine. */
void dnsd_server_stop(dnsd_server_t *server);

/* Adds every counter of from into to (for the totals logged at shutdown). */
void dnsd_counters_add(dnsd_counters_t *to, const dnsd_counters_t *from) M_NONNULL_ALL;

/* Logs "WHAT N of M queries (...)" with the main counters of total. */
void dnsd_counters_log(const char *what, const dnsd_counters_t *total) M_NONNULL_ALL;

/* Workers whose receive errors are shown apart (the rest are not). */
#define DNSD_SERVER_WORKERS_SHOWN 256

/* The server's counters as one scrape sees them, summed over the workers. */
typedef struct {
	dnsd_counters_t udp;				 /* every UDP worker's, summed */
	dnsd_counters_t tcp;				 /* the TCP loop's */
	uint64_t tcp_accepted;				 /* TCP connections accepted */
	uint64_t tcp_open;				 /* TCP connections open now */
	unsigned workers;				 /* UDP workers */
	uint64_t recv_errors[DNSD_SERVER_WORKERS_SHOWN]; /* per worker, by index */
} dnsd_server_totals_t;

/* Sums the counters of a running server, from any thread: relaxed atomic loads of
 * values each worker writes alone, so the workers never wait nor share a write. */
void dnsd_server_read(const dnsd_server_t *server, dnsd_server_totals_t *out) M_NONNULL_ALL;

#endif
