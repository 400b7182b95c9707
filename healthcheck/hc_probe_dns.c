/* SPDX-License-Identifier: MIT */
/* hc_probe_dns.c -- dns probe: a UDP query, over TCP again if truncated; rcode and answer judge */
#include "config.h"
#include "healthcheck/hc_probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "healthcheck/hc_dns_packet.h"

/* A dns probe's own state (hc_probe_t.state). After a truncated (TC) UDP answer the run
 * goes on over TCP, RFC 7766 framing (a 2-byte length before each message), on fd,
 * within the same deadline. */
typedef struct {
	int fd;		     /* the UDP socket, or the TCP connection of the retry; -1 when none */
	uint16_t dns_id;     /* the query id sent */
	bool dns_tcp;	     /* fd is the TCP connection of the retry */
	size_t dns_sent;     /* framed query bytes written so far, 0..2 + query length */
	uint8_t dns_len[2];  /* the answer's length prefix, as read */
	size_t dns_got;	     /* answer bytes read so far, prefix included */
	uint8_t *dns_answer; /* malloc'd once the prefix is read (its length); else NULL */
} dns_state_t;

static dns_state_t *dns_of(const hc_probe_t *probe)
{
	return probe->state;
}

#define DNS_FLAG_TC 0x02 /* in the third header byte: the answer was truncated */
#define DNS_HEADER_LEN 12

/* A run is a UDP exchange, then, when the answer came back truncated, a TCP exchange on
 * a new connection, as a resolver would retry (RFC 7766): the framed query goes out as
 * the socket takes it, the framed answer is read as it arrives, all on the loop without
 * blocking, and the run's one deadline (hc_probe.c) bounds both. Whichever phase is under
 * way, fd is its socket and dns_close() releases everything. */

static void dns_close(hc_probe_t *probe)
{
	if (dns_of(probe)->fd >= 0) {
		if (dns_of(probe)->dns_tcp) {
			/* RST rather than TIME_WAIT, as the tcp probe does: probes repeat. */
			struct linger lg = {.l_onoff = 1, .l_linger = 0};
			(void)setsockopt(dns_of(probe)->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		hc_loop_io_del(probe->loop, dns_of(probe)->fd);
		close(dns_of(probe)->fd);
		dns_of(probe)->fd = -1;
	}
	free(dns_of(probe)->dns_answer);
	dns_of(probe)->dns_answer = NULL;
	dns_of(probe)->dns_tcp = false;
	dns_of(probe)->dns_sent = 0;
	dns_of(probe)->dns_got = 0;
}

static int dns_query(const hc_probe_t *probe, uint8_t *buf, size_t buflen)
{
	const conf_check_t *c = probe->check;
	return hc_dns_query_build(dns_of(probe)->dns_id, c->dns_qname ? c->dns_qname : ".", c->dns_qtype,
				  buf, buflen);
}

/* Ends the run on an answer that is ours and complete: the rcode, then the answer section
 * decide. via is appended to the reason ("" over UDP, " over TCP"). */
static void answer_judge(hc_probe_t *probe, const uint8_t *pkt, size_t len, const uint8_t *query,
			 size_t querylen, int rcode, const char *via)
{
	const conf_check_t *c = probe->check;
	/* Room for every address a DNS message can hold (an A record takes at least 16
	 * of a TCP answer's 65535 bytes), so an expected address is never missed for lack
	 * of room. Static: only the loop thread judges answers. */
	static conf_ipaddr_t got[65535 / 16];
	char reason[HC_REASON_MAX];

	if (rcode != c->dns_expect_rcode) {
		hc_probe_finish(probe, false, "rcode %s%s", hc_dns_rcode_name(rcode), via);
		return;
	}
	if (c->dns_answer_count == 0) {
		hc_probe_finish(probe, true, "rcode %s%s", hc_dns_rcode_name(rcode), via);
		return;
	}
	int n = hc_dns_answer_addrs(pkt, len, query, querylen, c->dns_qtype, got, M_ARRAY_LEN(got),
				    reason, sizeof(reason));
	if (n < 0) {
		hc_probe_finish(probe, false, "%s%s", reason, via);
		return;
	}
	bool ok = hc_dns_answer_judge(c->dns_answer, c->dns_answer_count, got, (size_t)n,
				      M_ARRAY_LEN(got), reason, sizeof(reason));
	hc_probe_finish(probe, ok, "%s%s", reason, via);
}

/* The TCP answer is complete (dns_answer holds it, unframed): ours, not truncated again. */
static void tcp_answer_done(hc_probe_t *probe)
{
	uint8_t query[HC_DNS_QUERY_MAX];
	int qlen = dns_query(probe, query, sizeof(query));
	size_t len = dns_of(probe)->dns_got - 2;
	char why[64];
	int rcode =
	    hc_dns_answer_rcode(dns_of(probe)->dns_answer, len, query, (size_t)qlen, why, sizeof(why));

	/* Over a connection of our own there is no one else's answer to skip: a mismatch
	 * is the server's fault. */
	if (rcode < 0) {
		hc_probe_finish(probe, false, "%s over TCP", why);
		return;
	}
	if (dns_of(probe)->dns_answer[2] & DNS_FLAG_TC) {
		hc_probe_finish(probe, false, "answer truncated (TC) over TCP too");
		return;
	}
	answer_judge(probe, dns_of(probe)->dns_answer, len, query, (size_t)qlen, rcode, " over TCP");
}

/* Reads what has arrived of the framed answer: the 2-byte length, then the message. */
static void tcp_read(hc_probe_t *probe, int fd)
{
	for (;;) {
		uint8_t *to;
		size_t want;

		if (dns_of(probe)->dns_got < 2) {
			to = dns_of(probe)->dns_len + dns_of(probe)->dns_got;
			want = 2 - dns_of(probe)->dns_got;
		} else {
			size_t total = (size_t)dns_of(probe)->dns_len[0] << 8 | dns_of(probe)->dns_len[1];
			to = dns_of(probe)->dns_answer + (dns_of(probe)->dns_got - 2);
			want = total - (dns_of(probe)->dns_got - 2);
		}
		ssize_t n = recv(fd, to, want, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			hc_probe_finish(probe, false, "TCP read failed: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			hc_probe_finish(probe, false, "TCP connection closed before the answer");
			return;
		}
		dns_of(probe)->dns_got += (size_t)n;
		if (dns_of(probe)->dns_got == 2) {
			size_t total = (size_t)dns_of(probe)->dns_len[0] << 8 | dns_of(probe)->dns_len[1];
			if (total < DNS_HEADER_LEN) {
				hc_probe_finish(probe, false, "short answer (%zu bytes) over TCP",
						total);
				return;
			}
			dns_of(probe)->dns_answer = malloc(total);
			if (dns_of(probe)->dns_answer == NULL) {
				hc_probe_finish(probe, false, "out of memory");
				return;
			}
		} else if (dns_of(probe)->dns_got > 2 &&
			   dns_of(probe)->dns_got - 2 ==
			       ((size_t)dns_of(probe)->dns_len[0] << 8 | dns_of(probe)->dns_len[1])) {
			tcp_answer_done(probe);
			return;
		}
	}
}

static void tcp_ready(void *arg, int fd, uint32_t events)
{
	hc_probe_t *probe = arg;
	uint8_t framed[2 + HC_DNS_QUERY_MAX];

	if (!probe->running || !dns_of(probe)->dns_tcp || fd != dns_of(probe)->fd)
		return;
	(void)events;
	int qlen = dns_query(probe, framed + 2, sizeof(framed) - 2);
	size_t total = 2 + (size_t)qlen;
	if (dns_of(probe)->dns_sent < total) {
		int err = 0;
		socklen_t elen = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			err = errno;
		if (err != 0) {
			char reason[HC_REASON_MAX];
			hc_probe_connect_reason(err, reason, sizeof(reason));
			hc_probe_finish(probe, false, "truncated over UDP; TCP %s", reason);
			return;
		}
		framed[0] = (uint8_t)(qlen >> 8);
		framed[1] = (uint8_t)qlen;
		ssize_t n =
		    send(fd, framed + dns_of(probe)->dns_sent, total - dns_of(probe)->dns_sent, MSG_NOSIGNAL);
		if (n < 0) {
			/* Not connected yet (a wake-up meant for an earlier owner of the fd
			 * number), or the buffer is full: wait for the next EPOLLOUT. */
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ENOTCONN)
				return;
			hc_probe_finish(probe, false, "truncated over UDP; TCP send failed: %s",
					strerror(errno));
			return;
		}
		dns_of(probe)->dns_sent += (size_t)n;
		if (dns_of(probe)->dns_sent < total)
			return;
		if (hc_loop_io_set(probe->loop, fd, EPOLLIN, tcp_ready, probe) != 0) {
			hc_probe_finish(probe, false, "epoll: %s", strerror(errno));
			return;
		}
	}
	tcp_read(probe, fd);
}

/* The UDP answer was truncated: the same query again over a new TCP connection. */
static void tcp_start(hc_probe_t *probe)
{
	const conf_sockaddr_t *to = &probe->check->address;
	char reason[HC_REASON_MAX];

	dns_close(probe);
	dns_of(probe)->dns_tcp = true;
	int fd = socket(to->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		hc_probe_finish(probe, false, "truncated over UDP; TCP socket: %s",
				strerror(errno));
		return;
	}
	dns_of(probe)->fd = fd;
	if (connect(fd, (const struct sockaddr *)&to->addr, to->len) != 0 && errno != EINPROGRESS) {
		hc_probe_connect_reason(errno, reason, sizeof(reason));
		hc_probe_finish(probe, false, "truncated over UDP; TCP %s", reason);
		return;
	}
	if (hc_loop_io_set(probe->loop, fd, EPOLLOUT, tcp_ready, probe) != 0)
		hc_probe_finish(probe, false, "epoll: %s", strerror(errno));
}

static void dns_ready(void *arg, int fd, uint32_t events)
{
	hc_probe_t *probe = arg;
	(void)events;
	if (!probe->running || dns_of(probe)->dns_tcp || fd != dns_of(probe)->fd)
		return;
	uint8_t query[HC_DNS_QUERY_MAX];
	int qlen = dns_query(probe, query, sizeof(query));
	uint8_t answer[4096];
	for (;;) {
		ssize_t n = recv(fd, answer, sizeof(answer), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			/* ICMP port unreachable comes back as ECONNREFUSED on a connected socket.
			 */
			char reason[HC_REASON_MAX];
			hc_probe_connect_reason(errno, reason, sizeof(reason));
			hc_probe_finish(probe, false, "%s", reason);
			return;
		}
		char why[64];
		int rcode =
		    hc_dns_answer_rcode(answer, (size_t)n, query, (size_t)qlen, why, sizeof(why));
		if (rcode < 0)
			continue; /* not our answer: keep waiting until the deadline */
		/* Truncated: neither its rcode nor its answer section can be trusted whole
		 * (servers may clear the answer, or cut it short); ask again over TCP. */
		if (answer[2] & DNS_FLAG_TC)
			tcp_start(probe);
		else
			answer_judge(probe, answer, (size_t)n, query, (size_t)qlen, rcode, "");
		return;
	}
}

static int dns_start(hc_probe_t *probe, char *reason, size_t reasonlen)
{
	const conf_sockaddr_t *to = &probe->check->address;
	uint16_t id;
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(hc_loop_now() * 2654435761u >> 16);
	dns_of(probe)->dns_id = id;
	uint8_t query[HC_DNS_QUERY_MAX];
	int qlen = dns_query(probe, query, sizeof(query));
	if (qlen < 0) {
		snprintf(reason, reasonlen, "bad query name");
		return -1;
	}
	int fd = socket(to->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(reason, reasonlen, "socket: %s", strerror(errno));
		return -1;
	}
	dns_of(probe)->fd = fd;
	/* connect(): the kernel then drops datagrams from anyone else and reports ICMP
	 * errors to us. */
	if (connect(fd, (const struct sockaddr *)&to->addr, to->len) != 0) {
		hc_probe_connect_reason(errno, reason, reasonlen);
		dns_close(probe);
		return -1;
	}
	if (send(fd, query, (size_t)qlen, 0) != qlen) {
		snprintf(reason, reasonlen, "send: %s", strerror(errno));
		dns_close(probe);
		return -1;
	}
	if (hc_loop_io_set(probe->loop, fd, EPOLLIN, dns_ready, probe) != 0) {
		snprintf(reason, reasonlen, "epoll: %s", strerror(errno));
		dns_close(probe);
		return -1;
	}
	return 0;
}

static void dns_stop(hc_probe_t *probe)
{
	dns_close(probe);
}

/* The deadline's reason: a run that hangs in its TCP retry says so. */
static void dns_timeout_reason(const hc_probe_t *probe, char *reason, size_t len)
{
	snprintf(reason, len, "timeout after %u ms%s", probe->check->timeout_ms,
		 dns_of(probe)->dns_tcp ? " (TCP retry of a truncated answer)" : "");
}

static void dns_init(hc_probe_t *probe)
{
	dns_of(probe)->fd = -1;
}

const hc_probe_ops_t hc_probe_dns_ops = {
	.name = "dns",
	.state_size = sizeof(dns_state_t),
	.init = dns_init,
	.start = dns_start,
	.stop = dns_stop,
	.timeout_reason = dns_timeout_reason,
};
