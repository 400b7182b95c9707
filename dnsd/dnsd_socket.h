/* SPDX-License-Identifier: MIT */
/* dnsd_socket.h -- the listening sockets of both transports, port 0, and the client address the answer path sees */
#ifndef MERIDIAN_DNSD_SOCKET_H
#define MERIDIAN_DNSD_SOCKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"

/* Both transports' side of the sockets: dnsd_server.c (UDP workers) and
 * dnsd_server_tcp.c (the TCP loop) each open theirs here; neither reaches into the
 * other. Everything here runs on the thread that starts the server. */

/* Creates a nonblocking socket of type (SOCK_DGRAM or SOCK_STREAM) bound to a, with
 * SO_REUSEPORT (and IPV6_V6ONLY on IPv6, packet info for UDP on a wildcard address; a
 * TCP socket also listens). Returns the fd, or -1 with err filled "ADDR: what failed:
 * why". */
int dnsd_socket_open(const conf_sockaddr_t *a, int type, char *err,
		     size_t errlen) M_NONNULL_ALL M_WUR;

/* The port of a, in host order (0: the kernel is to pick one). */
uint16_t dnsd_socket_port(const conf_sockaddr_t *a) M_NONNULL_ALL M_PURE;

/* Port 0 asks the kernel for a port: one UDP socket bound to port 0 gets it, and a TCP
 * listener must get the same number (another program may hold it in TCP: then it tries
 * again). The two sockets, returned in hold[0] (UDP) and hold[1] (TCP), keep the port
 * (SO_REUSEPORT) until every worker's socket is bound; the caller closes them then.
 * a's port and text become the real ones. 0, or -1 with err filled. */
int dnsd_socket_any_port(conf_sockaddr_t *a, int hold[2], char *err,
			 size_t errlen) M_NONNULL_ALL M_WUR;

/* The answer path's view of a peer address (IPv4-mapped IPv6 peers stay IPv6: we bind
 * IPv6 sockets V6ONLY, so they only come from a real IPv6 path). */
static inline void dnsd_socket_client(const struct sockaddr_storage *ss, bool tcp,
				      dnsd_client_t *out)
{
	out->tcp = tcp;
	if (ss->ss_family == AF_INET6) {
		out->family = AF_INET6;
		memcpy(out->addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	} else {
		out->family = AF_INET;
		memcpy(out->addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	}
}

#endif
