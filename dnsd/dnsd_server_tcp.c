/* SPDX-License-Identifier: MIT */
/* dnsd_server_tcp.c -- DNS over TCP per RFC 7766 on one epoll thread, fair per connection */
#include "config.h"
#include "dnsd/dnsd_server_tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <urcu-qsbr.h>

#include "base/clock.h"
#include "base/log.h"
#include "dnsd/dnsd_cookie.h"
#include "dnsd/dnsd_server.h"
#include "dnsd/dnsd_snapshot.h"
#include "dnsd/dnsd_socket.h"

/* Who owns what: only the loop thread touches connections, so nothing here is locked.
 * A connection is one allocation, made at accept and freed at close, that holds its two
 * buffers, each sized once for the largest framed message (2 + 65535 bytes): `in`
 * gathers queries (pipelined ones too) until they are answered, `out` holds the one
 * framed answer being sent, rendered straight into it. Nothing is allocated or resized
 * per message. While an answer is pending the connection neither reads nor answers more
 * (back-pressure), so a client that does not read costs its one connection and the idle
 * timeout eventually closes it. The pages of a buffer are only touched as far as the
 * messages reach, so a connection costs about one page of each in memory actually used.
 *
 * A connection is on the activity list from accept until it is closed; it is closed
 * either as the connection an event is for (conn_close) or as the head of the list
 * (conn_close_oldest), which moves the head on before freeing.
 *
 * Fairness: events only read and flush; answering happens in turns. A connection with
 * a complete query and no answer pending is on the ready queue; a turn answers ONE
 * message of the connection at the head and puts it back at the tail if it has another
 * (round robin). So a client pipelining thousands of queries on many connections delays
 * another client's query by one answer per hostile connection, not by everything those
 * connections have buffered. After TCP_TURN_ANSWERS answers the loop polls epoll
 * without waiting, so a newcomer joins the queue within that many answers. */

#define TCP_MSG_MAX 65535
#define TCP_FRAME_MAX (2 + TCP_MSG_MAX) /* a message with its length prefix */
#define TCP_EVENTS 64

enum tcp_kind { TCP_KIND_LISTENER, TCP_KIND_CONN, TCP_KIND_STOP };

/* One epoll registration: a listener, a connection or the stop eventfd. */
typedef struct {
	enum tcp_kind kind; /* what the registration is */
	int fd;		    /* its descriptor */
} tcp_handle_t;

/* One client connection; conns are in a list ordered by last activity, oldest first. */
typedef struct tcp_conn {
	tcp_handle_t h;			/* must stay first: epoll data points here */
	struct tcp_conn *prev, *next;	/* activity order */
	int64_t active_ms;		/* CLOCK_MONOTONIC ms of the last progress */
	struct sockaddr_storage client; /* the peer, for geo answers */
	size_t in_len;			/* bytes received, not yet answered, <= TCP_FRAME_MAX */
	size_t out_off;			/* first byte of out the kernel has not taken */
	size_t out_len;			/* bytes of the pending framed answer; 0 when none */
	size_t in_off;			/* first byte of in not answered yet, <= in_len */
	uint32_t events;		/* the epoll interest registered (EPOLLIN, EPOLLOUT or 0) */
	bool eof;			/* the peer closed its side (or the socket failed): read no more */
	bool ready;			/* on the ready queue: a complete query to answer, no output pending */
	struct tcp_conn *ready_prev, *ready_next; /* ready queue order, oldest first */
	uint8_t in[TCP_FRAME_MAX];	/* length-prefixed queries, oldest first */
	uint8_t out[TCP_FRAME_MAX];	/* one length-prefixed answer */
} tcp_conn_t;

struct dnsd_tcp {
	pthread_t thread;	     /* the loop, valid when started */
	bool started;		     /* thread was created and must be joined */
	int epfd;		     /* the epoll set: listeners, connections, stop */
	tcp_handle_t *listeners;     /* one per listen address */
	size_t listener_count;	     /* listeners opened */
	tcp_handle_t stop;	     /* the server's eventfd */
	tcp_conn_t *oldest, *newest; /* activity list */
	tcp_conn_t *ready_head, *ready_tail; /* connections with a query to answer, FIFO */
	size_t ready_count;	     /* connections on the ready queue */
	int spare_fd;		     /* held open to accept-and-close when out of descriptors */
	size_t conn_count;	     /* connections on the activity list */
	dnsd_counters_t counters;    /* written by this thread only */
	uint64_t accepted;	     /* connections accepted since start; this thread writes */
	dnsd_cookie_mac_t *cookie_mac; /* this thread's SipHash context */
};

static void list_unlink(dnsd_tcp_t *t, tcp_conn_t *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		t->oldest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->newest = c->prev;
	c->prev = c->next = NULL;
}

static void list_append(dnsd_tcp_t *t, tcp_conn_t *c)
{
	c->prev = t->newest;
	c->next = NULL;
	if (t->newest)
		t->newest->next = c;
	else
		t->oldest = c;
	t->newest = c;
}

static void conn_touch(dnsd_tcp_t *t, tcp_conn_t *c)
{
	c->active_ms = clock_mono_ms();
	if (t->newest != c) {
		list_unlink(t, c);
		list_append(t, c);
	}
}

static void ready_remove(dnsd_tcp_t *t, tcp_conn_t *c)
{
	if (!c->ready)
		return;
	if (c->ready_prev)
		c->ready_prev->ready_next = c->ready_next;
	else
		t->ready_head = c->ready_next;
	if (c->ready_next)
		c->ready_next->ready_prev = c->ready_prev;
	else
		t->ready_tail = c->ready_prev;
	c->ready_prev = c->ready_next = NULL;
	c->ready = false;
	t->ready_count--;
}

static void ready_append(dnsd_tcp_t *t, tcp_conn_t *c)
{
	if (c->ready)
		return;
	c->ready_prev = t->ready_tail;
	c->ready_next = NULL;
	if (t->ready_tail)
		t->ready_tail->ready_next = c;
	else
		t->ready_head = c;
	t->ready_tail = c;
	c->ready = true;
	t->ready_count++;
}

/* Frees a connection that is on no activity list any more. */
static void conn_destroy(dnsd_tcp_t *t, tcp_conn_t *c)
{
	ready_remove(t, c);
	t->conn_count--;
	close(c->h.fd); /* also removes it from the epoll set */
	free(c);
}

static void conn_close(dnsd_tcp_t *t, tcp_conn_t *c)
{
	list_unlink(t, c);
	conn_destroy(t, c);
}

/* Closes the longest-idle connection (the list must not be empty). The head moves on
 * here, before the free, so no path can reach the freed connection through it. */
static void conn_close_oldest(dnsd_tcp_t *t)
{
	tcp_conn_t *c = t->oldest;

	t->oldest = c->next;
	if (t->oldest != NULL)
		t->oldest->prev = NULL;
	else
		t->newest = NULL;
	c->next = NULL;
	conn_destroy(t, c);
}

static void conn_set_events(dnsd_tcp_t *t, tcp_conn_t *c, uint32_t events)
{
	if (c->events == events)
		return;
	struct epoll_event ev = {.events = events, .data.ptr = c};
	if (epoll_ctl(t->epfd, EPOLL_CTL_MOD, c->h.fd, &ev) == 0)
		c->events = events;
}

static bool conn_pending(const tcp_conn_t *c)
{
	return c->out_off < c->out_len;
}

/* Pushes the pending answer. Returns 1 when all is sent (out is free again), 0 when some
 * remains, -1 when the connection is broken. */
static int conn_flush(tcp_conn_t *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->h.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 1;
}

/* The input holds a whole message (or a zero length, which ends the connection). */
static bool conn_complete(const tcp_conn_t *c)
{
	size_t avail = c->in_len - c->in_off;
	if (avail < 2)
		return false;
	size_t msg = (size_t)c->in[c->in_off] << 8 | c->in[c->in_off + 1];
	return msg == 0 || avail >= 2 + msg;
}

/* Cookies over TCP: the connection already proves the address, so a server cookie we
 * cannot vouch for is only counted and replaced (no BADCOOKIE); every answer to a
 * query with a cookie gets a fresh server cookie. */
static void tcp_cookie(dnsd_tcp_t *t, const dnsd_snapshot_t *snap, const uint8_t *query,
		       size_t qlen, const dnsd_client_t *client, size_t len, uint8_t *resp)
{
	dnsd_query_t q;
	if (qlen < 12 || (query[10] == 0 && query[11] == 0))
		return; /* no additional record: no OPT, no cookie */
	dnsd_parse_t parsed = dnsd_query_parse(query, qlen, &q);
	if (parsed == DNSD_PARSE_DROP || q.cookie_len == 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	uint32_t now_s = (uint32_t)ts.tv_sec;
	dnsd_cookie_state_t st = dnsd_cookie_check(t->cookie_mac, &snap->cookies, query, &q, client,
						   now_s);
	if (st == DNSD_COOKIE_GOOD)
		t->counters.cookie_good++;
	else if (st == DNSD_COOKIE_BAD)
		t->counters.cookie_bad++;
	else
		t->counters.cookie_new++;
	dnsd_cookie_fill(t->cookie_mac, &snap->cookies, &q, client, now_s, resp, len);
}

/* Answers the first complete message of the input (the caller checked conn_complete and
 * that no output is pending). Returns -1 when the connection must close. */
static int conn_answer(dnsd_tcp_t *t, tcp_conn_t *c, const dnsd_snapshot_t *snap)
{
	const uint8_t *frame = c->in + c->in_off;
	size_t msg = (size_t)frame[0] << 8 | frame[1];
	if (msg == 0)
		return -1;
	size_t len = 0;
	if (snap != NULL) {
		dnsd_client_t client;
		dnsd_socket_client(&c->client, true, &client);
		len = dnsd_answer(&snap->answer, frame + 2, msg, &client, c->out + 2, TCP_MSG_MAX,
				  &t->counters);
		if (len > 0 && snap->answer.cookies)
			tcp_cookie(t, snap, frame + 2, msg, &client, len, c->out + 2);
	}
	c->in_off += 2 + msg;
	if (len == 0)
		return 0;
	c->out[0] = (uint8_t)(len >> 8);
	c->out[1] = (uint8_t)len;
	c->out_off = 0;
	c->out_len = 2 + len;
	return conn_flush(c) < 0 ? -1 : 0;
}

/* Puts the connection where its state says: waiting for output room (EPOLLOUT), on the
 * ready queue (not reading) when it holds a complete query, else reading (EPOLLIN). Returns -1 when it has
 * nothing left to do and the peer is gone: the caller closes it. */
static int conn_schedule(dnsd_tcp_t *t, tcp_conn_t *c)
{
	if (conn_pending(c)) {
		ready_remove(t, c);
		conn_set_events(t, c, EPOLLOUT);
		return 0;
	}
	/* Queued: no reading until the input is answered (a level-triggered EPOLLIN would
	 * report the socket at every poll, and each read would move the unanswered bytes).
	 * The interest changes once per buffer of queries, not per query. */
	if (conn_complete(c)) {
		ready_append(t, c);
		conn_set_events(t, c, 0);
		return 0;
	}
	ready_remove(t, c);
	if (c->eof)
		return -1;
	conn_set_events(t, c, EPOLLIN);
	return 0;
}

/* Reads what the socket has, up to a full input buffer (which always holds at least the
 * first message whole, so answering it makes room). Returns 1 when bytes came, 0 when
 * none, -1 on EOF/error. */
static int conn_read(tcp_conn_t *c)
{
	int got = 0;
	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	while (c->in_len < sizeof(c->in)) {
		ssize_t n =
		    recv(c->h.fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return got;
			return -1;
		}
		c->in_len += (size_t)n;
		got = 1;
	}
	return got; /* full: answer before reading more */
}

/* One readable or writable connection: flush, then read; answering waits for a turn. */
static void conn_event(dnsd_tcp_t *t, tcp_conn_t *c, uint32_t events)
{
	if (conn_pending(c)) {
		int f = conn_flush(c);
		if (f < 0) {
			conn_close(t, c);
			return;
		}
		if (f == 0)
			return;
		conn_touch(t, c);
	}
	if (!c->eof && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		int r = conn_read(c);
		if (r > 0)
			conn_touch(t, c);
		else if (r < 0)
			c->eof = true; /* what is complete is still answered */
	}
	if (conn_schedule(t, c) < 0)
		conn_close(t, c);
}

/* Answers between two looks at epoll: new events (a new client's query) wait for at
 * most this many answers, plus one turn. */
#define TCP_TURN_ANSWERS 128

/* Answers one message of the connection at the head of the queue, which goes back to the
 * tail if it has another, until the queue is empty or TCP_TURN_ANSWERS were answered. */
static void tcp_turn(dnsd_tcp_t *t, const dnsd_snapshot_t *snap)
{
	for (size_t n = 0; n < TCP_TURN_ANSWERS && t->ready_head != NULL; n++) {
		tcp_conn_t *c = t->ready_head;
		ready_remove(t, c);
		if (conn_answer(t, c, snap) < 0 || conn_schedule(t, c) < 0) {
			conn_close(t, c);
			continue;
		}
		conn_touch(t, c);
	}
}

/* Out of file descriptors. Left alone, the listener would stay readable and the loop
 * would spin; so make room by closing the longest-idle connection, or, with none to
 * close, use the spare descriptor to accept the newcomer and close it at once. Returns
 * true when accepting again may succeed. */
static bool tcp_shed(dnsd_tcp_t *t, int lfd)
{
	if (t->oldest != NULL) {
		conn_close_oldest(t);
		return true;
	}
	if (t->spare_fd >= 0) {
		close(t->spare_fd);
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		t->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		log_warn("tcp: out of file descriptors; refused a connection");
	}
	return false;
}

/* A new connection on fd (accepted from peer): registered with epoll for reading and put
 * at the newest end of the activity list. NULL when out of memory or epoll refuses it;
 * fd is then the caller's to close. */
static tcp_conn_t *conn_add(dnsd_tcp_t *t, int fd, const struct sockaddr_storage *peer)
{
	/* The buffers stay untouched (malloc, not calloc): their pages cost memory only once
	 * messages reach them. */
	tcp_conn_t *c = malloc(sizeof(*c));
	if (c == NULL)
		return NULL;
	c->h.kind = TCP_KIND_CONN;
	c->h.fd = fd;
	c->prev = c->next = NULL;
	c->client = *peer;
	c->in_len = c->in_off = c->out_off = c->out_len = 0;
	c->events = EPOLLIN;
	c->eof = c->ready = false;
	c->ready_prev = c->ready_next = NULL;
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(c);
		return NULL;
	}
	c->active_ms = clock_mono_ms();
	list_append(t, c);
	t->conn_count++;
	return c;
}

static void tcp_accept(dnsd_tcp_t *t, int lfd, const dnsd_snapshot_t *snap)
{
	uint32_t cap = snap ? snap->conf->dns.tcp_max_connections : 1024;
	if (cap == 0)
		cap = 1;
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd =
		    accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && tcp_shed(t, lfd))
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("tcp accept: %s", strerror(errno));
			return;
		}
		/* Full: the connection that has been quiet longest makes room (RFC 7766 6.2.3). */
		while (t->conn_count >= cap && t->oldest != NULL)
			conn_close_oldest(t);
		if (conn_add(t, fd, &peer) == NULL) {
			close(fd);
			continue;
		}
		t->accepted++;
	}
}

/* Closes connections quiet for longer than idle_ms; returns ms until the next expiry. */
static int tcp_expire(dnsd_tcp_t *t, uint32_t idle_ms)
{
	int64_t now = clock_mono_ms();
	while (t->oldest != NULL && now - t->oldest->active_ms >= (int64_t)idle_ms)
		conn_close_oldest(t);
	if (t->oldest == NULL)
		return -1;
	return (int)(t->oldest->active_ms + idle_ms - now);
}

static void *tcp_run(void *arg)
{
	dnsd_tcp_t *t = arg;
	struct epoll_event events[TCP_EVENTS];
	uint32_t idle_ms = 10000;

	rcu_register_thread();
	for (bool stop = false; !stop;) {
		int timeout = tcp_expire(t, idle_ms);
		if (t->ready_head != NULL)
			timeout = 0; /* answers are waiting: only pick up what else came */
		rcu_thread_offline();
		int n = epoll_wait(t->epfd, events, TCP_EVENTS, timeout);
		rcu_thread_online();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("tcp: epoll_wait: %s", strerror(errno));
			break;
		}
		rcu_read_lock();
		const dnsd_snapshot_t *snap = rcu_dereference(dnsd_snapshot_current);
		if (snap != NULL)
			idle_ms = snap->conf->dns.tcp_idle_timeout_ms;
		/* Connections before listeners: an accept may close the oldest idle connection
		 * to make room, and that one may still have an event in this round. Each
		 * connection appears at most once per round, so closing it in conn_event is safe.
		 */
		for (int i = 0; i < n; i++) {
			tcp_handle_t *h = events[i].data.ptr;
			if (h->kind == TCP_KIND_STOP)
				stop = true;
			if (h->kind != TCP_KIND_CONN)
				continue;
			/* The connection may be freed here; forget its event. */
			events[i].data.ptr = NULL;
			conn_event(t, (tcp_conn_t *)h, events[i].events);
		}
		for (int i = 0; i < n && !stop; i++) {
			tcp_handle_t *h = events[i].data.ptr;
			if (h != NULL && h->kind == TCP_KIND_LISTENER)
				tcp_accept(t, h->fd, snap);
		}
		if (!stop)
			tcp_turn(t, snap);
		rcu_read_unlock();
		rcu_quiescent_state();
	}
	rcu_unregister_thread();
	return NULL;
}

dnsd_tcp_t *dnsd_tcp_start(const conf_sockaddr_t *listen, size_t listen_count, int stop_fd,
			   char *err, size_t errlen)
{
	dnsd_tcp_t *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	t->cookie_mac = dnsd_cookie_mac_new();
	if (t->cookie_mac == NULL) {
		snprintf(err, errlen, "OpenSSL has no SIPHASH MAC (needed for DNS cookies)");
		goto fail;
	}
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	t->listeners = calloc(listen_count, sizeof(*t->listeners));
	if (t->epfd < 0 || t->listeners == NULL) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	t->stop = (tcp_handle_t){.kind = TCP_KIND_STOP, .fd = stop_fd};
	struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &t->stop};
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, stop_fd, &sev) < 0) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < listen_count; i++) {
		int fd = dnsd_socket_open(&listen[i], SOCK_STREAM, err, errlen);
		if (fd < 0)
			goto fail;
		t->listeners[i] = (tcp_handle_t){.kind = TCP_KIND_LISTENER, .fd = fd};
		t->listener_count = i + 1;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &t->listeners[i]};
		if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			snprintf(err, errlen, "%s: epoll_ctl: %s", listen[i].text, strerror(errno));
			goto fail;
		}
	}
	int rc = pthread_create(&t->thread, NULL, tcp_run, t);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		goto fail;
	}
	t->started = true;
	return t;
fail:
	dnsd_tcp_stop(t, NULL);
	return NULL;
}

void dnsd_tcp_stop(dnsd_tcp_t *t, dnsd_counters_t *counters)
{
	if (t == NULL)
		return;
	if (t->started)
		pthread_join(t->thread, NULL);
	if (counters != NULL)
		dnsd_counters_add(counters, &t->counters);
	while (t->oldest != NULL)
		conn_close_oldest(t);
	for (size_t i = 0; i < t->listener_count; i++)
		close(t->listeners[i].fd);
	free(t->listeners);
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->spare_fd >= 0)
		close(t->spare_fd);
	dnsd_cookie_mac_free(t->cookie_mac);
	free(t);
}

/* Read from another thread (a scrape): relaxed loads of values only this loop writes. */
void dnsd_tcp_read(const dnsd_tcp_t *t, dnsd_counters_t *counters, uint64_t *accepted,
		   uint64_t *open)
{
	const uint64_t *src = (const uint64_t *)&t->counters;
	uint64_t *dst = (uint64_t *)counters;
	for (size_t i = 0; i < sizeof(*counters) / sizeof(uint64_t); i++)
		dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	*accepted = __atomic_load_n(&t->accepted, __ATOMIC_RELAXED);
	*open = (uint64_t)__atomic_load_n(&t->conn_count, __ATOMIC_RELAXED);
}
