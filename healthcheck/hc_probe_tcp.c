/* SPDX-License-Identifier: MIT */
/* hc_probe_tcp.c -- tcp probe: a nonblocking connect; accepted means healthy */
#include "config.h"
#include "healthcheck/hc_probe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* A tcp probe's own state (hc_probe_t.state). */
typedef struct {
	int fd; /* the connecting socket; -1 when none */
} tcp_state_t;

static tcp_state_t *tcp_of(const hc_probe_t *probe)
{
	return probe->state;
}

static void tcp_close(hc_probe_t *probe)
{
	if (tcp_of(probe)->fd < 0)
		return;
	/* Close with RST (linger 0): a thousand endpoints probed every second would
	 * otherwise leave tens of thousands of sockets in TIME_WAIT and run out of
	 * ephemeral ports. The peer only sees an aborted connection it never used. */
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	(void)setsockopt(tcp_of(probe)->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	hc_loop_io_del(probe->loop, tcp_of(probe)->fd);
	close(tcp_of(probe)->fd);
	tcp_of(probe)->fd = -1;
}

static void tcp_ready(void *arg, int fd, uint32_t events)
{
	hc_probe_t *probe = arg;
	if (!probe->running || fd != tcp_of(probe)->fd)
		return;
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		char reason[HC_REASON_MAX];
		hc_probe_connect_reason(err, reason, sizeof(reason));
		hc_probe_finish(probe, false, "%s", reason);
		return;
	}
	/* A wake-up meant for an earlier owner of this fd number: still connecting. */
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) != 0)
		return;
	(void)events;
	hc_probe_finish(probe, true, "connected");
}

static int tcp_start(hc_probe_t *probe, char *reason, size_t reasonlen)
{
	const conf_sockaddr_t *to = &probe->check->address;
	int fd = socket(to->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(reason, reasonlen, "socket: %s", strerror(errno));
		return -1;
	}
	tcp_of(probe)->fd = fd;
	if (connect(fd, (const struct sockaddr *)&to->addr, to->len) != 0 && errno != EINPROGRESS) {
		hc_probe_connect_reason(errno, reason, reasonlen);
		tcp_close(probe);
		return -1;
	}
	/* Even an immediate success goes through the loop: results come from there only. */
	if (hc_loop_io_set(probe->loop, fd, EPOLLOUT, tcp_ready, probe) != 0) {
		snprintf(reason, reasonlen, "epoll: %s", strerror(errno));
		tcp_close(probe);
		return -1;
	}
	return 0;
}

static void tcp_stop(hc_probe_t *probe)
{
	tcp_close(probe);
}

static void tcp_init(hc_probe_t *probe)
{
	tcp_of(probe)->fd = -1;
}

const hc_probe_ops_t hc_probe_tcp_ops = {
	.name = "tcp",
	.state_size = sizeof(tcp_state_t),
	.init = tcp_init,
	.start = tcp_start,
	.stop = tcp_stop,
};
