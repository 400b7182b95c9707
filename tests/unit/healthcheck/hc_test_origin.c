/* SPDX-License-Identifier: MIT */
/* hc_test_origin.c -- real loopback origins (HTTP, DNS over UDP) for probe tests */
#include "config.h"
#include "hc_test_origin.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* The server thread owns the sockets; settings are read under the mutex. */
struct hc_test_origin {
	bool dns;	     /* UDP DNS instead of HTTP */
	int fd;		     /* listening (HTTP) or bound (DNS) socket */
	int stop_pipe[2];    /* written to stop the thread */
	uint16_t port;	     /* the loopback port fd is bound to, host order */
	pthread_t thread;    /* serves fd until stop_pipe is written */
	pthread_mutex_t mu;  /* guards everything below */
	int status;	     /* HTTP status or DNS rcode */
	char body[8192];     /* HTTP response body, NUL-terminated */
	bool hang;	     /* read requests but never answer (a probe must time out) */
	char last_host[256]; /* Host header of the last HTTP request, "" before any */
	unsigned hits;	     /* requests or queries received */
	int hung[64];	     /* connections left hanging, closed at stop */
	size_t hung_count;   /* entries used in hung, 0..64 */
	char answer[256];    /* DNS: addresses answered, space-separated ("" for none) */
};

static void http_serve(hc_test_origin_t *o, int c)
{
	char req[4096];
	size_t len = 0;
	struct pollfd p = {.fd = c, .events = POLLIN};
	while (len < sizeof(req) - 1 && poll(&p, 1, 2000) > 0) {
		ssize_t n = read(c, req + len, sizeof(req) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		req[len] = '\0';
		/* a TLS ClientHello (0x16) never ends in a blank line: answer it at once */
		if (strstr(req, "\r\n\r\n") != NULL || req[0] == 0x16)
			break;
	}
	req[len] = '\0';
	pthread_mutex_lock(&o->mu);
	o->hits++;
	char *host = strcasestr(req, "\r\nHost: ");
	if (host != NULL) {
		host += 8;
		size_t n = strcspn(host, "\r\n");
		snprintf(o->last_host, sizeof(o->last_host), "%.*s", (int)n, host);
	}
	if (o->hang) {
		if (o->hung_count < 64)
			o->hung[o->hung_count++] = c;
		else
			close(c);
		pthread_mutex_unlock(&o->mu);
		return;
	}
	char head[256];
	int hl = snprintf(head, sizeof(head),
			  "HTTP/1.1 %d Test\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			  o->status, strlen(o->body));
	ssize_t w = write(c, head, (size_t)hl);
	w = write(c, o->body, strlen(o->body));
	(void)w;
	pthread_mutex_unlock(&o->mu);
	close(c);
}

/* Appends one A or AAAA record per address of list to the response in pkt (n bytes so
 * far, the question included), its owner a compression pointer to the question's name. */
static size_t dns_answers(unsigned char *pkt, size_t n, size_t size, const char *list)
{
	char copy[256], *save = NULL;
	unsigned ancount = 0;
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *w = strtok_r(copy, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		unsigned char addr[16];
		bool v6 = strchr(w, ':') != NULL;
		size_t alen = v6 ? 16 : 4;
		if (inet_pton(v6 ? AF_INET6 : AF_INET, w, addr) != 1 || n + 12 + alen > size)
			continue;
		/* owner, type, class IN, TTL 60, rdlength */
		unsigned char head[12] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};
		head[3] = v6 ? 28 : 1;
		head[11] = (unsigned char)alen;
		memcpy(pkt + n, head, sizeof(head));
		memcpy(pkt + n + sizeof(head), addr, alen);
		n += sizeof(head) + alen;
		ancount++;
	}
	pkt[6] = (unsigned char)(ancount >> 8);
	pkt[7] = (unsigned char)ancount;
	return n;
}

static void dns_serve(hc_test_origin_t *o)
{
	unsigned char pkt[1024];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(o->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fl);
	if (n < 12)
		return;
	pthread_mutex_lock(&o->mu);
	o->hits++;
	bool hang = o->hang;
	int rcode = o->status;
	char answer[sizeof(o->answer)];
	memcpy(answer, o->answer, sizeof(answer));
	pthread_mutex_unlock(&o->mu);
	if (hang)
		return;
	pkt[2] |= 0x84; /* QR, AA */
	pkt[3] = (unsigned char)(rcode & 0x0f);
	size_t len = dns_answers(pkt, (size_t)n, sizeof(pkt), answer);
	(void)sendto(o->fd, pkt, len, 0, (struct sockaddr *)&from, fl);
}

static void *origin_thread(void *arg)
{
	hc_test_origin_t *o = arg;
	for (;;) {
		struct pollfd p[2] = {{.fd = o->fd, .events = POLLIN},
				      {.fd = o->stop_pipe[0], .events = POLLIN}};
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents)
			return NULL;
		if (!(p[0].revents & POLLIN))
			continue;
		if (o->dns) {
			dns_serve(o);
		} else {
			int c = accept(o->fd, NULL, NULL);
			if (c >= 0)
				http_serve(o, c);
		}
	}
}

static hc_test_origin_t *origin_start(bool dns)
{
	hc_test_origin_t *o = calloc(1, sizeof(*o));
	if (o == NULL)
		return NULL;
	o->dns = dns;
	o->status = dns ? 0 : 200;
	snprintf(o->body, sizeof(o->body), "ok\n");
	pthread_mutex_init(&o->mu, NULL);
	o->fd = socket(AF_INET, dns ? SOCK_DGRAM : SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	if (o->fd < 0 || bind(o->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    (!dns && listen(o->fd, 1024) != 0) ||
	    getsockname(o->fd, (struct sockaddr *)&a, &al) != 0 || pipe(o->stop_pipe) != 0) {
		free(o);
		return NULL;
	}
	o->port = ntohs(a.sin_port);
	if (pthread_create(&o->thread, NULL, origin_thread, o) != 0) {
		free(o);
		return NULL;
	}
	return o;
}

hc_test_origin_t *hc_test_http_origin_start(void)
{
	return origin_start(false);
}

hc_test_origin_t *hc_test_dns_origin_start(void)
{
	return origin_start(true);
}

uint16_t hc_test_origin_port(const hc_test_origin_t *o)
{
	return o->port;
}

void hc_test_origin_set(hc_test_origin_t *o, int status, const char *body, bool hang)
{
	pthread_mutex_lock(&o->mu);
	o->status = status;
	snprintf(o->body, sizeof(o->body), "%s", body ? body : "");
	o->hang = hang;
	pthread_mutex_unlock(&o->mu);
}

void hc_test_dns_origin_answer(hc_test_origin_t *o, const char *addresses)
{
	pthread_mutex_lock(&o->mu);
	snprintf(o->answer, sizeof(o->answer), "%s", addresses);
	pthread_mutex_unlock(&o->mu);
}

void hc_test_origin_last_host(hc_test_origin_t *o, char *out, size_t outlen)
{
	pthread_mutex_lock(&o->mu);
	snprintf(out, outlen, "%s", o->last_host);
	pthread_mutex_unlock(&o->mu);
}

unsigned hc_test_origin_hits(hc_test_origin_t *o)
{
	pthread_mutex_lock(&o->mu);
	unsigned n = o->hits;
	pthread_mutex_unlock(&o->mu);
	return n;
}

void hc_test_origin_stop(hc_test_origin_t *o)
{
	if (o == NULL)
		return;
	ssize_t w = write(o->stop_pipe[1], "x", 1);
	(void)w;
	pthread_join(o->thread, NULL);
	for (size_t i = 0; i < o->hung_count; i++)
		close(o->hung[i]);
	close(o->fd);
	close(o->stop_pipe[0]);
	close(o->stop_pipe[1]);
	pthread_mutex_destroy(&o->mu);
	free(o);
}
