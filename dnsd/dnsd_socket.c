/* SPDX-License-Identifier: MIT */
/* dnsd_socket.c -- the listening sockets of both transports, port 0, and the client address the answer path sees */
#include "config.h"
#include "dnsd/dnsd_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int dnsd_socket_open(const conf_sockaddr_t *a, int type, char *err, size_t errlen)
{
	int family = a->addr.ss_family;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", a->text, strerror(errno));
		return -1;
	}
	int one = 1;
	const char *what = NULL;
	/* Only a wildcard socket needs packet info: a specific address replies from itself,
	 * and skipping the control messages keeps the batch path lean. */
	bool wildcard =
	    family == AF_INET6
		? IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->addr)->sin6_addr)
		: ((const struct sockaddr_in *)&a->addr)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		what = "SO_REUSEADDR";
	else if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		what = "SO_REUSEPORT";
	else if (family == AF_INET6 &&
		 setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		what = "IPV6_V6ONLY";
	else if (type == SOCK_DGRAM && wildcard && family == AF_INET &&
		 setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
		what = "IP_PKTINFO";
	else if (type == SOCK_DGRAM && wildcard && family == AF_INET6 &&
		 setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
		what = "IPV6_RECVPKTINFO";
	if (what == NULL && type == SOCK_DGRAM) {
		/* Never fragment an answer (RFC 9715 3.1: responders set DF / IPV6_DONTFRAG),
		 * and ignore path-MTU information (PROBE: a forged "fragmentation needed" must
		 * not shrink what we send). An answer larger than the interface MTU fails with
		 * EMSGSIZE and goes out truncated instead (udp_send_all). Unfragmented IPv4
		 * with DF also needs no random IP ID (RFC 6864 4.1), which spares the kernel a
		 * keyed hash per answer. */
		int probe4 = IP_PMTUDISC_PROBE, probe6 = IPV6_PMTUDISC_PROBE;
		if (family == AF_INET6) {
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe6,
				       sizeof(probe6)) < 0)
				what = "IPV6_MTU_DISCOVER";
			else if (setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one)) <
				 0)
				what = "IPV6_DONTFRAG";
		} else if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe4, sizeof(probe4)) <
			   0) {
			what = "IP_MTU_DISCOVER";
		}
		/* Room for bursts: a worker drains a batch while the kernel queues the next. */
		int size = 4 * 1024 * 1024;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
	if (what == NULL && bind(fd, (const struct sockaddr *)&a->addr, a->len) < 0)
		what = "bind";
	if (what == NULL && type == SOCK_STREAM && listen(fd, 1024) < 0)
		what = "listen";
	if (what != NULL) {
		snprintf(err, errlen, "%s: %s: %s", a->text, what, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Tries for one port free in both UDP and TCP when an address asks for port 0. */
#define DNSD_ANY_PORT_TRIES 64

uint16_t dnsd_socket_port(const conf_sockaddr_t *a)
{
	return a->addr.ss_family == AF_INET6
		   ? ntohs(((const struct sockaddr_in6 *)&a->addr)->sin6_port)
		   : ntohs(((const struct sockaddr_in *)&a->addr)->sin_port);
}

/* Sets a's port to port and its text to the address with that port, for the logs. */
static void socket_set_port(conf_sockaddr_t *a, uint16_t port)
{
	char host[INET6_ADDRSTRLEN];
	if (a->addr.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->addr;
		sin6->sin6_port = htons(port);
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(a->text, sizeof(a->text), "[%s]:%u", host, (unsigned)port);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->addr;
		sin->sin_port = htons(port);
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(a->text, sizeof(a->text), "%s:%u", host, (unsigned)port);
	}
}

/* Port 0 asks the kernel for a port: one UDP socket bound to port 0 gets it, and a TCP
 * listener must get the same number (another program may hold it in TCP: then try again).
 * The two sockets hold the port (SO_REUSEPORT) until every worker socket is bound; the
 * caller closes them. a's port and text become the real ones. */
int dnsd_socket_any_port(conf_sockaddr_t *a, int hold[2], char *err, size_t errlen)
{
	for (int attempt = 0; attempt < DNSD_ANY_PORT_TRIES; attempt++) {
		conf_sockaddr_t try = *a;
		hold[0] = dnsd_socket_open(&try, SOCK_DGRAM, err, errlen);
		if (hold[0] < 0)
			return -1;
		struct sockaddr_storage got;
		socklen_t len = sizeof(got);
		if (getsockname(hold[0], (struct sockaddr *)&got, &len) < 0) {
			snprintf(err, errlen, "%s: getsockname: %s", a->text, strerror(errno));
			close(hold[0]);
			return -1;
		}
		try.addr.ss_family = got.ss_family;
		socket_set_port(&try, got.ss_family == AF_INET6
					    ? ntohs(((struct sockaddr_in6 *)&got)->sin6_port)
					    : ntohs(((struct sockaddr_in *)&got)->sin_port));
		hold[1] = dnsd_socket_open(&try, SOCK_STREAM, err, errlen);
		if (hold[1] >= 0) {
			*a = try;
			return 0;
		}
		close(hold[0]);
	}
	return -1;
}
