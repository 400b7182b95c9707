/* SPDX-License-Identifier: MIT */
/* hc_probe_dns.c -- dns probe: one UDP query; the expected rcode (and answer) means healthy */
#include "config.h"
#include "healthcheck/hc_probe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "healthcheck/hc_dns_packet.h"

static void dns_close(hc_probe_t *probe)
{
	if (probe->fd < 0)
		return;
	hc_loop_io_del(probe->loop, probe->fd);
	close(probe->fd);
	probe->fd = -1;
}

static int dns_query(const hc_probe_t *probe, uint8_t *buf, size_t buflen)
{
	const conf_check_t *c = probe->check;
	return hc_dns_query_build(probe->dns_id, c->dns_qname ? c->dns_qname : ".", c->dns_qtype,
				  buf, buflen);
}

/* The expected rcode came back; the answer section decides. */
static void answer_judge(hc_probe_t *probe, const uint8_t *pkt, size_t len, const uint8_t *query,
			 size_t querylen)
{
	const conf_check_t *c = probe->check;
	conf_ipaddr_t got[16];
	char reason[HC_REASON_MAX];
	int n = hc_dns_answer_addrs(pkt, len, query, querylen, c->dns_qtype, got, M_ARRAY_LEN(got),
				    reason, sizeof(reason));
	if (n < 0) {
		hc_probe_finish(probe, false, "%s", reason);
		return;
	}
	bool ok = hc_dns_answer_judge(c->dns_answer, c->dns_answer_count, got, (size_t)n,
				      M_ARRAY_LEN(got), reason, sizeof(reason));
	hc_probe_finish(probe, ok, "%s", reason);
}

static void dns_ready(void *arg, int fd, uint32_t events)
{
	hc_probe_t *probe = arg;
	(void)events;
	if (!probe->running || fd != probe->fd)
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
		if (rcode != probe->check->dns_expect_rcode)
			hc_probe_finish(probe, false, "rcode %s", hc_dns_rcode_name(rcode));
		else if (probe->check->dns_answer_count == 0)
			hc_probe_finish(probe, true, "rcode %s", hc_dns_rcode_name(rcode));
		else
			answer_judge(probe, answer, (size_t)n, query, (size_t)qlen);
		return;
	}
}

int hc_probe_dns_start(hc_probe_t *probe, char *reason, size_t reasonlen)
{
	const conf_sockaddr_t *to = &probe->check->address;
	uint16_t id;
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(hc_loop_now() * 2654435761u >> 16);
	probe->dns_id = id;
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
	probe->fd = fd;
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

void hc_probe_dns_stop(hc_probe_t *probe)
{
	dns_close(probe);
}
