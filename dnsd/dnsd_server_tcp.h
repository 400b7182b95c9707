/* SPDX-License-Identifier: MIT */
/* dnsd_server_tcp.h -- the TCP event loop (RFC 7766), internal to dnsd_server */
#ifndef MERIDIAN_DNSD_SERVER_TCP_H
#define MERIDIAN_DNSD_SERVER_TCP_H

#include <stddef.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"

/* One thread with an epoll loop over every TCP listener and connection. Connections are
 * nonblocking, each with one input and one output buffer sized once at accept (nothing is
 * allocated per message), kept in least-recently-active order: the idle timeout and the
 * "close the oldest idle when full" rule both read the head of that list. Limits (idle timeout,
 * connection cap) come from the snapshot's config, so a reload changes them without a restart. */
typedef struct dnsd_tcp dnsd_tcp_t;

/* Binds a TCP listener on every address and starts the loop thread; it ends when stop_fd
 * (an eventfd) becomes readable. Returns NULL and fills err on failure. */
dnsd_tcp_t *dnsd_tcp_start(const conf_sockaddr_t *listen, size_t listen_count, int stop_fd,
			   char *err, size_t errlen) M_NONNULL(1, 4) M_WUR;
/* Joins the thread (stop_fd must be readable by then) and frees everything; NULL is fine.
 * When counters is not NULL, the loop's counters are added to it first. */
void dnsd_tcp_stop(dnsd_tcp_t *tcp, dnsd_counters_t *counters);
/* From any thread, while the loop runs: adds the loop's counters into counters, and
 * gives the connections accepted since start and open now. */
void dnsd_tcp_read(const dnsd_tcp_t *tcp, dnsd_counters_t *counters, uint64_t *accepted,
		   uint64_t *open) M_NONNULL_ALL;

#endif
