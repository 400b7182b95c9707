/* SPDX-License-Identifier: MIT */
/* dnsd_server.c -- listener sockets and the UDP workers (recvmmsg/sendmmsg batches) */
#include "config.h"
#include "dnsd/dnsd_server.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <urcu-qsbr.h>

#include "base/log.h"
#include "dnsd/dnsd_cookie.h"
#include "dnsd/dnsd_rrl.h"
#include "dnsd/dnsd_server_tcp.h"
#include "dnsd/dnsd_socket.h"
#include "dnsd/dnsd_snapshot.h"
#include "dnsd/dnsd_geodb.h"

/* Batches read from one socket before looking at the others (and at stop). */
#define DNSD_DRAIN_ROUNDS 8
/* Room for one IPv4 or IPv6 packet-info control message. */
#define DNSD_CMSG_SPACE                                                                            \
	(CMSG_SPACE(sizeof(struct in6_pktinfo)) > CMSG_SPACE(sizeof(struct in_pktinfo))            \
	     ? CMSG_SPACE(sizeof(struct in6_pktinfo))                                              \
	     : CMSG_SPACE(sizeof(struct in_pktinfo)))

/* The buffers of one message slot in a batch; reused for every batch. */
typedef struct {
	uint8_t query[DNSD_SERVER_UDP_MAX];    /* datagram as received */
	uint8_t response[DNSD_SERVER_UDP_MAX]; /* rendered answer */
	struct sockaddr_storage client;	       /* source of the query, destination of the answer */
	/* packet info received (the address queried), aligned for its cmsghdr */
	_Alignas(struct cmsghdr) uint8_t rx_control[DNSD_CMSG_SPACE];
	/* packet info sent (reply from that address), aligned likewise */
	_Alignas(struct cmsghdr) uint8_t tx_control[DNSD_CMSG_SPACE];
	struct iovec rx_iov;			/* points at query */
	struct iovec tx_iov;			/* points at response, with the rendered length */
	dnsd_client_t who;			/* the client decoded from `client` */
	dnsd_prepared_t prep;			/* the query parsed ahead, its geo lookup */
} dnsd_udp_slot_t;

/* One UDP worker: its own socket per listen address and its own batch buffers. */
typedef struct {
	pthread_t thread;		      /* valid when started */
	bool started;			      /* thread was created and must be joined */
	unsigned index;			      /* 0.. worker count - 1, for logs */
	int *fds;			      /* one UDP socket per listen address */
	size_t fd_count;		      /* sockets opened in fds (all of them once started) */
	int stop_fd;			      /* the server's eventfd; readable means stop */
	dnsd_udp_slot_t *slots;		      /* DNSD_SERVER_BATCH of them */
	struct mmsghdr rx[DNSD_SERVER_BATCH]; /* recvmmsg headers, one per slot */
	struct mmsghdr tx[DNSD_SERVER_BATCH]; /* sendmmsg headers, answers packed first */
	uint8_t tx_slot[DNSD_SERVER_BATCH];   /* tx[i] answers slots[tx_slot[i]] */
	dnsd_counters_t counters;	      /* written by this worker only */
	dnsd_rrl_t *rrl;		      /* the server's shared RRL table */
	dnsd_cookie_mac_t *cookie_mac;	      /* this worker's SipHash context */
	uint32_t rrl_slip_seq;		      /* limited responses so far, for dns.rrl.slip */
	uint64_t recv_errors;		      /* recvmmsg failures but EAGAIN; this worker writes */
} dnsd_udp_worker_t;

struct dnsd_server {
	int stop_fd;		    /* eventfd written once by dnsd_server_stop */
	dnsd_udp_worker_t *workers; /* worker_count of them */
	unsigned worker_count;	    /* UDP worker threads, >= 1 */
	dnsd_tcp_t *tcp;	    /* the TCP loop, NULL until started */
	dnsd_rrl_t *rrl;	    /* response rate limiting buckets, shared by the workers */
};


/* Copies the address the query was sent to into the reply's control message, so the answer
 * leaves from it even when we listen on a wildcard address. Returns the control length. */
static size_t udp_reply_control(const struct msghdr *rx, uint8_t *out, size_t outlen)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(rx); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)rx, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo in;
			memcpy(&in, CMSG_DATA(c), sizeof(in));
			struct in_pktinfo reply = {0};
			reply.ipi_spec_dst = in.ipi_addr;
			struct cmsghdr *o = (struct cmsghdr *)out;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(reply));
			memcpy(CMSG_DATA(o), &reply, sizeof(reply));
			return CMSG_SPACE(sizeof(reply));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo reply;
			memcpy(&reply, CMSG_DATA(c), sizeof(reply));
			struct cmsghdr *o = (struct cmsghdr *)out;
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(reply));
			memcpy(CMSG_DATA(o), &reply, sizeof(reply));
			return CMSG_SPACE(sizeof(reply));
		}
	}
	(void)outlen;
	return 0;
}

_Static_assert(DNSD_SERVER_BATCH <= 256, "tx_slot holds a slot index in a byte");

/* Answer sizes tried, in order, when an answer is bigger than the interface MTU: the
 * size DNS flag day 2020 settled on, then the size every path carries. */
static const size_t udp_fallback_caps[] = {1232, 512};

/* Wall clock seconds, for cookie timestamps (read once per batch with cookies). */
static uint32_t wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

/* The cookie part of a UDP answer of len bytes: fills the server cookie, or turns the
 * answer into BADCOOKIE when the query's server cookie is not ours. Returns the length;
 * *good is set when the query proved its address with a valid server cookie. */
static size_t udp_cookie(dnsd_udp_worker_t *w, const dnsd_snapshot_t *snap, dnsd_udp_slot_t *s,
			 size_t len, uint32_t now_s, bool *good)
{
	const dnsd_query_t *q = &s->prep.q;
	dnsd_cookie_state_t st =
	    dnsd_cookie_check(w->cookie_mac, &snap->cookies, s->query, q, &s->who, now_s);
	if (st == DNSD_COOKIE_BAD) {
		w->counters.cookie_bad++;
		uint16_t payload = snap->answer.udp_payload ? snap->answer.udp_payload : 1232;
		return dnsd_cookie_badcookie(w->cookie_mac, &snap->cookies, q, &s->who, now_s,
					     payload, s->response, len, sizeof(s->response));
	}
	if (st == DNSD_COOKIE_GOOD) {
		w->counters.cookie_good++;
		*good = true;
	} else {
		w->counters.cookie_new++;
	}
	dnsd_cookie_fill(w->cookie_mac, &snap->cookies, q, &s->who, now_s, s->response, len);
	return len;
}

/* Renders tx message `at` again, no larger than cap: the answer the client gets when the
 * full one would need fragmenting (TC set, so it retries over TCP). Only the truncation
 * is counted: the query itself was counted by the first rendering. */
static void udp_rerender(dnsd_udp_worker_t *w, const dnsd_snapshot_t *snap, unsigned at,
			 size_t cap)
{
	dnsd_udp_slot_t *s = &w->slots[w->tx_slot[at]];
	dnsd_counters_t scratch = {0};
	size_t len = dnsd_answer_prepared(&snap->answer, &s->prep, s->query, &s->who, s->response,
					  cap, &scratch);
	w->counters.truncated += scratch.truncated;
	if (snap->answer.cookies && s->prep.q.cookie_len != 0 && len > 0)
		dnsd_cookie_fill(w->cookie_mac, &snap->cookies, &s->prep.q, &s->who, wall_s(),
				 s->response, len);
	s->tx_iov.iov_len = len;
}

/* Sends count prepared replies, retrying after partial sends. An answer too big for the
 * interface (EMSGSIZE: we never fragment) is rendered smaller and sent again; anything
 * else the kernel refuses is dropped (a full socket buffer loses answers, exactly as a
 * lost datagram would). Runs inside the batch's RCU read section: snap is the snapshot
 * the answers were rendered from. */
static void udp_send_all(dnsd_udp_worker_t *w, const dnsd_snapshot_t *snap, int fd,
			 unsigned count)
{
	unsigned done = 0, shrunk = 0;
	while (done < count) {
		int n = sendmmsg(fd, w->tx + done, count - done, MSG_DONTWAIT);
		if (n > 0) {
			done += (unsigned)n;
			shrunk = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EMSGSIZE && shrunk < M_ARRAY_LEN(udp_fallback_caps) &&
		    w->tx[done].msg_hdr.msg_iov->iov_len > udp_fallback_caps[shrunk]) {
			udp_rerender(w, snap, done, udp_fallback_caps[shrunk++]);
			continue;
		}
		/* Skip the message that failed (e.g. an unreachable source) and go on. */
		done++;
		shrunk = 0;
	}
}

/* Reads and answers batches on one socket until it would block or a batch limit is hit,
 * so one busy socket cannot starve the worker's others. */
static void udp_drain(dnsd_udp_worker_t *w, int fd)
{
	for (int round = 0; round < DNSD_DRAIN_ROUNDS; round++) {
		for (unsigned i = 0; i < DNSD_SERVER_BATCH; i++) {
			dnsd_udp_slot_t *s = &w->slots[i];
			struct msghdr *h = &w->rx[i].msg_hdr;
			s->rx_iov.iov_base = s->query;
			s->rx_iov.iov_len = sizeof(s->query);
			h->msg_name = &s->client;
			h->msg_namelen = sizeof(s->client);
			h->msg_iov = &s->rx_iov;
			h->msg_iovlen = 1;
			h->msg_control = s->rx_control;
			h->msg_controllen = sizeof(s->rx_control);
			h->msg_flags = 0;
			w->rx[i].msg_len = 0;
		}
		int n = recvmmsg(fd, w->rx, DNSD_SERVER_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				w->recv_errors++;
			return;
		}

		unsigned out = 0;
		uint64_t now_us = 0; /* read once per batch, and only when RRL is on */
		uint32_t now_s = 0;  /* likewise, when a query has a cookie */
		rcu_read_lock();
		const dnsd_snapshot_t *snap = rcu_dereference(dnsd_snapshot_current);
		/* Parse the batch first and make its geo lookups together, so their cache
		 * misses overlap instead of being paid one query at a time. */
		dnsd_geo_pre_t *want[DNSD_SERVER_BATCH];
		size_t nwant = 0;
		for (int i = 0; snap != NULL && i < n; i++) {
			dnsd_udp_slot_t *s = &w->slots[i];
			if (unlikely(w->rx[i].msg_hdr.msg_flags & MSG_TRUNC))
				continue;
			dnsd_socket_client(&s->client, false, &s->who);
			if (dnsd_answer_prepare(&snap->answer, s->query, w->rx[i].msg_len, &s->who,
						&s->prep))
				want[nwant++] = &s->prep.geo;
		}
		if (nwant > 1 && snap->answer.geo != NULL)
			dnsd_geodb_lookup_batch(snap->answer.geo, want, nwant);
		for (int i = 0; i < n; i++) {
			dnsd_udp_slot_t *s = &w->slots[i];
			const struct msghdr *rh = &w->rx[i].msg_hdr;
			if (unlikely(snap == NULL || (rh->msg_flags & MSG_TRUNC)))
				continue;
			size_t len =
			    dnsd_answer_prepared(&snap->answer, &s->prep, s->query, &s->who,
						 s->response, sizeof(s->response), &w->counters);
			if (len == 0)
				continue;
			bool proven = false;
			if (unlikely(s->prep.q.cookie_len != 0) && snap->answer.cookies) {
				if (now_s == 0)
					now_s = wall_s();
				len = udp_cookie(w, snap, s, len, now_s, &proven);
			}
			if (unlikely(snap->conf->dns.rrl.rate != 0) && !proven) {
				if (now_us == 0) {
					struct timespec ts;
					clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
					now_us = (uint64_t)ts.tv_sec * 1000000u +
						 (uint64_t)ts.tv_nsec / 1000u + 1;
				}
				dnsd_rrl_verdict_t v =
				    dnsd_rrl_judge(w->rrl, snap->conf, &s->who, s->response, len,
						   now_us, &w->rrl_slip_seq, &w->counters);
				if (v == DNSD_RRL_DROP)
					continue;
				if (v == DNSD_RRL_SLIP)
					len = dnsd_rrl_truncate(s->response, len);
			}
			struct msghdr *th = &w->tx[out].msg_hdr;
			s->tx_iov.iov_base = s->response;
			s->tx_iov.iov_len = len;
			th->msg_name = &s->client;
			th->msg_namelen = rh->msg_namelen;
			th->msg_iov = &s->tx_iov;
			th->msg_iovlen = 1;
			size_t clen =
			    udp_reply_control(rh, s->tx_control, sizeof(s->tx_control));
			th->msg_control = clen ? s->tx_control : NULL;
			th->msg_controllen = clen;
			th->msg_flags = 0;
			w->tx_slot[out++] = (uint8_t)i;
		}
		if (out > 0)
			udp_send_all(w, snap, fd, out);
		rcu_read_unlock();
		rcu_quiescent_state();
		if (n < DNSD_SERVER_BATCH)
			return;
	}
}

static void *udp_worker_run(void *arg)
{
	dnsd_udp_worker_t *w = arg;
	struct pollfd pfd[w->fd_count + 1];
	for (size_t i = 0; i < w->fd_count; i++)
		pfd[i] = (struct pollfd){.fd = w->fds[i], .events = POLLIN};
	pfd[w->fd_count] = (struct pollfd){.fd = w->stop_fd, .events = POLLIN};

	rcu_register_thread();
	for (;;) {
		rcu_thread_offline();
		int n = poll(pfd, w->fd_count + 1, -1);
		rcu_thread_online();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("udp worker %u: poll: %s", w->index, strerror(errno));
			break;
		}
		if (pfd[w->fd_count].revents)
			break;
		for (size_t i = 0; i < w->fd_count; i++)
			if (pfd[i].revents)
				udp_drain(w, w->fds[i]);
	}
	rcu_unregister_thread();
	return NULL;
}

static void udp_worker_free(dnsd_udp_worker_t *w)
{
	dnsd_cookie_mac_free(w->cookie_mac);
	for (size_t i = 0; i < w->fd_count; i++)
		if (w->fds[i] >= 0)
			close(w->fds[i]);
	free(w->fds);
	free(w->slots);
}

/* The CPUs we may run on: taskset or a cpuset may allow fewer than the machine has. */
static unsigned online_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Closes the sockets that held port-0 addresses' ports while the real ones were bound,
 * and frees the array. */
static void holds_close(int *hold, size_t listen_count)
{
	for (size_t i = 0; i < 2 * listen_count; i++)
		if (hold[i] >= 0)
			close(hold[i]);
	free(hold);
}


dnsd_server_t *dnsd_server_start(const conf_sockaddr_t *listen_conf, size_t listen_count,
				 unsigned threads, char *err, size_t errlen)
{
	if (listen_count == 0) {
		snprintf(err, errlen, "no listen address");
		return NULL;
	}
	dnsd_server_t *s = calloc(1, sizeof(*s));
	conf_sockaddr_t *listen = malloc(listen_count * sizeof(*listen));
	int *hold = malloc(2 * listen_count * sizeof(*hold));
	if (s == NULL || listen == NULL || hold == NULL) {
		snprintf(err, errlen, "out of memory");
		free(s);
		free(listen);
		free(hold);
		return NULL;
	}
	memcpy(listen, listen_conf, listen_count * sizeof(*listen));
	for (size_t i = 0; i < listen_count; i++)
		hold[2 * i] = hold[2 * i + 1] = -1;
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(s);
		free(listen);
		free(hold);
		return NULL;
	}
	s->rrl = dnsd_rrl_new();
	if (s->rrl == NULL) {
		snprintf(err, errlen, "out of memory");
		close(s->stop_fd);
		free(s);
		free(listen);
		free(hold);
		return NULL;
	}
	for (size_t i = 0; i < listen_count; i++)
		if (dnsd_socket_port(&listen[i]) == 0 &&
		    dnsd_socket_any_port(&listen[i], &hold[2 * i], err, errlen) < 0)
			goto fail;
	s->worker_count = threads ? threads : online_cpus();
	s->workers = calloc(s->worker_count, sizeof(*s->workers));
	if (s->workers == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (unsigned t = 0; t < s->worker_count; t++) {
		dnsd_udp_worker_t *w = &s->workers[t];
		w->index = t;
		w->stop_fd = s->stop_fd;
		w->rrl = s->rrl;
		w->cookie_mac = dnsd_cookie_mac_new();
		if (w->cookie_mac == NULL) {
			snprintf(err, errlen, "OpenSSL has no SIPHASH MAC (needed for DNS cookies)");
			goto fail;
		}
		w->fds = malloc(listen_count * sizeof(*w->fds));
		w->slots = calloc(DNSD_SERVER_BATCH, sizeof(*w->slots));
		if (w->fds == NULL || w->slots == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < listen_count; i++) {
			w->fds[i] = dnsd_socket_open(&listen[i], SOCK_DGRAM, err, errlen);
			if (w->fds[i] < 0)
				goto fail;
			w->fd_count = i + 1;
		}
	}
	s->tcp = dnsd_tcp_start(listen, listen_count, s->stop_fd, err, errlen);
	if (s->tcp == NULL)
		goto fail;
	for (unsigned t = 0; t < s->worker_count; t++) {
		int rc =
		    pthread_create(&s->workers[t].thread, NULL, udp_worker_run, &s->workers[t]);
		if (rc != 0) {
			snprintf(err, errlen, "pthread_create: %s", strerror(rc));
			goto fail;
		}
		s->workers[t].started = true;
	}
	for (size_t i = 0; i < listen_count; i++)
		log_info("listening on %s (udp x%u, tcp)", listen[i].text, s->worker_count);
	holds_close(hold, listen_count);
	free(listen);
	return s;
fail:
	holds_close(hold, listen_count);
	free(listen);
	dnsd_server_stop(s);
	return NULL;
}

void dnsd_counters_add(dnsd_counters_t *to, const dnsd_counters_t *from)
{
	/* The struct is all uint64_t counters: add it as an array. */
	_Static_assert(sizeof(dnsd_counters_t) % sizeof(uint64_t) == 0, "counters are uint64_t");
	uint64_t *dst = (uint64_t *)to;
	const uint64_t *src = (const uint64_t *)from;
	for (size_t i = 0; i < sizeof(*to) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

void dnsd_counters_log(const char *what, const dnsd_counters_t *total)
{
	log_info("%s %llu of %llu queries (%llu over tcp): noerror %llu, nxdomain %llu, "
		 "refused %llu, formerr %llu, notimp %llu, badvers %llu; %llu truncated, "
		 "%llu geo, %llu fail-open",
		 what, (unsigned long long)(total->queries - total->dropped),
		 (unsigned long long)total->queries, (unsigned long long)total->tcp,
		 (unsigned long long)total->rcode[0], (unsigned long long)total->rcode[3],
		 (unsigned long long)total->rcode[5], (unsigned long long)total->rcode[1],
		 (unsigned long long)total->rcode[4], (unsigned long long)total->rcode[16],
		 (unsigned long long)total->truncated, (unsigned long long)total->geo,
		 (unsigned long long)total->fail_open);
	log_info("%s rrl: %llu dropped, %llu slipped, %llu logged only; cookies: %llu good, "
		 "%llu new, %llu bad",
		 what, (unsigned long long)total->rrl_dropped,
		 (unsigned long long)total->rrl_slipped, (unsigned long long)total->rrl_logged,
		 (unsigned long long)total->cookie_good, (unsigned long long)total->cookie_new,
		 (unsigned long long)total->cookie_bad);
}

void dnsd_server_read(const dnsd_server_t *s, dnsd_server_totals_t *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned t = 0; t < s->worker_count; t++) {
		const uint64_t *src = (const uint64_t *)&s->workers[t].counters;
		uint64_t *dst = (uint64_t *)&out->udp;
		for (size_t i = 0; i < sizeof(out->udp) / sizeof(uint64_t); i++)
			dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		if (t < DNSD_SERVER_WORKERS_SHOWN)
			out->recv_errors[t] =
			    __atomic_load_n(&s->workers[t].recv_errors, __ATOMIC_RELAXED);
	}
	out->workers = s->worker_count;
	if (s->tcp != NULL)
		dnsd_tcp_read(s->tcp, &out->tcp, &out->tcp_accepted, &out->tcp_open);
}

void dnsd_server_stop(dnsd_server_t *s)
{
	if (s == NULL)
		return;
	uint64_t one = 1;
	ssize_t w = write(s->stop_fd, &one, sizeof(one));
	(void)w;
	dnsd_counters_t total = {0};
	bool ran = s->tcp != NULL;
	for (unsigned t = 0; s->workers != NULL && t < s->worker_count; t++) {
		if (s->workers[t].started)
			pthread_join(s->workers[t].thread, NULL);
		dnsd_counters_add(&total, &s->workers[t].counters);
		udp_worker_free(&s->workers[t]);
	}
	dnsd_tcp_stop(s->tcp, &total);
	if (ran)
		dnsd_counters_log("answered", &total);
	dnsd_rrl_free(s->rrl);
	free(s->workers);
	close(s->stop_fd);
	free(s);
}
