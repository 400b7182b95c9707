/* SPDX-License-Identifier: MIT */
/* tcp_fuzz.c -- libFuzzer harness: any byte stream through the TCP server's framing and turns */
#include "config.h"

/* The TCP loop's own code, static functions and all: the harness drives one connection
 * over a socketpair (the fuzz bytes are what the client sent, in chunks the input says)
 * through conn_read, conn_event and tcp_turn, answering from the shared fuzz zone, and
 * reads back every framed answer: each must be a whole frame of a sane length. */
#include "dnsd/dnsd_server_tcp.c"
#include "qa/fuzz/fuzz_dnsd_ctx.h"

dnsd_snapshot_t *dnsd_snapshot_current;

/* dnsd_server.c is not linked: its counter sum, for dnsd_tcp_stop. */
void dnsd_counters_add(dnsd_counters_t *to, const dnsd_counters_t *from)
{
	(void)to, (void)from;
}

int dnsd_server_socket(const conf_sockaddr_t *a, int type, char *err, size_t errlen)
{
	(void)a, (void)type, (void)err, (void)errlen;
	return -1;
}

/* Reads what the server wrote to peer and checks the framing; false on a bad frame. */
static bool drain_answers(int peer, uint8_t *pending, size_t *pending_len)
{
	for (;;) {
		ssize_t n = recv(peer, pending + *pending_len, 2 * TCP_FRAME_MAX - *pending_len,
				 MSG_DONTWAIT);
		if (n <= 0)
			break;
		*pending_len += (size_t)n;
		size_t off = 0;
		while (*pending_len - off >= 2) {
			size_t len = (size_t)pending[off] << 8 | pending[off + 1];
			if (len < 12)
				return false;
			if (*pending_len - off < 2 + len)
				break;
			off += 2 + len;
		}
		memmove(pending, pending + off, *pending_len - off);
		*pending_len -= off;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ready();
	static dnsd_snapshot_t snap;
	static conf_t conf;
	static dnsd_cookie_mac_t *mac;
	if (mac == NULL && (mac = dnsd_cookie_mac_new()) == NULL)
		abort();
	snap.answer = fuzz_ctx;
	snap.answer.cookies = size > 0 && (data[0] & 1);
	snap.conf = &conf;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		abort();
	int big = 1 << 20;
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	/* One epoll set for the whole run: each input's connection has left it (closed)
	 * by the time the input is done. */
	static int epfd = -1;
	if (epfd < 0 && (epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		abort();
	dnsd_tcp_t t = {.epfd = epfd, .spare_fd = -1, .cookie_mac = mac};
	/* as tcp_accept makes it (the buffers left unwritten: clearing their 128 kB per input
	 * was a third of the harness's time) */
	static const struct sockaddr_storage peer; /* a socketpair has no address */
	if (conn_add(&t, sv[0], &peer) == NULL)
		abort();
	static uint8_t pending[2 * TCP_FRAME_MAX];
	size_t pending_len = 0;
	/* The first byte chooses the chunk size the client writes in (1..256 bytes). */
	size_t chunk = size > 0 ? (size_t)data[0] + 1 : 1, at = size > 0 ? 1 : 0;
	bool open = true;
	while (open && (at < size || t.ready_head != NULL)) {
		if (at < size) {
			size_t n = size - at < chunk ? size - at : chunk;
			ssize_t w = send(sv[1], data + at, n, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0)
				at += (size_t)w;
			if (at == size)
				shutdown(sv[1], SHUT_WR); /* the client is done: half-close */
		}
		struct epoll_event got[4];
		int n = epoll_wait(t.epfd, got, 4, 0);
		for (int i = 0; i < n; i++)
			conn_event(&t, (tcp_conn_t *)got[i].data.ptr, got[i].events);
		tcp_turn(&t, &snap);
		open = t.oldest != NULL;
		if (!drain_answers(sv[1], pending, &pending_len))
			abort();
		if (n == 0 && at == size && t.ready_head == NULL)
			break;
	}
	while (t.oldest != NULL)
		conn_close_oldest(&t);
	close(sv[1]);
	return 0;
}
