/* SPDX-License-Identifier: MIT */
/* repl_gate.c -- who may hold a replication connection, and for how long */
#include "config.h"

#include "replicator/repl_gate.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

#define PEER_ADDRS_MAX 256 /* resolved addresses of configured peers */
#define REAP_EVERY_MS 200  /* how often deadlines are checked and summaries flushed */

/* One admitted connection. */
typedef struct {
	bool used;		      /* the slot holds a live connection */
	int fd;			      /* its socket */
	struct sockaddr_storage addr; /* the client's address */
	bool peer;		      /* from a configured peer's address */
	int64_t deadline_ms;	      /* monotonic: shut it past this; 0 while none runs */
} slot_t;

struct repl_gate {
	pthread_mutex_t lock;	     /* guards everything below but stop */
	pthread_cond_t wake;	     /* stop wakes the reaper */
	pthread_t reaper;	     /* shuts slow requests, flushes the refusal log */
	bool reaper_started;	     /* reaper must be joined */
	atomic_bool stop;	     /* set by repl_gate_free */
	repl_stats_t *stats;	     /* refused_busy, refused_slow */
	repl_ratelog_t *log;	     /* refusal lines */
	unsigned per_address;	     /* connections one non-peer address may hold */
	unsigned reserved;	     /* slots only peers' addresses may use */
	int64_t timeout_ms;	     /* whole-request deadline */
	struct sockaddr_storage peers[PEER_ADDRS_MAX]; /* peers' addresses (port ignored) */
	size_t peer_count;			       /* entries used in peers */
	slot_t *slots;				       /* capacity entries */
	unsigned capacity;			       /* REPL_GATE_GENERAL + reserved at start */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Same host (family and address; ports differ between a peer's listener and its client). */
static bool same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
			      &((const struct sockaddr_in *)(const void *)b)->sin_addr,
			      sizeof(struct in_addr)) == 0;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return false;
}

static void addr_text(const struct sockaddr *sa, char *out, size_t len)
{
	snprintf(out, len, "?");
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)len);
}

/* The host part of a peer URL ("http://[::1]:8853/x" -> "::1"). */
static void url_host(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://");
	size_t n;

	p = p ? p + 3 : url;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":/");
	}
	if (n >= len)
		n = 0;
	memcpy(out, p, n);
	out[n] = '\0';
}

static void peers_resolve(repl_gate_t *g, const conf_t *conf)
{
	g->peer_count = 0;
	for (size_t i = 0; i < conf->replication.peer_count; i++) {
		char host[256];
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;

		url_host(conf->replication.peers[i].url, host, sizeof(host));
		if (host[0] == '\0' || getaddrinfo(host, NULL, &hints, &res) != 0) {
			log_warn("replication.peers.%s: cannot resolve '%s': no connection slots "
				 "kept for it",
				 conf->replication.peers[i].region, host);
			continue;
		}
		for (struct addrinfo *r = res; r && g->peer_count < PEER_ADDRS_MAX; r = r->ai_next)
			if (r->ai_addrlen <= sizeof(g->peers[0]))
				memcpy(&g->peers[g->peer_count++], r->ai_addr, r->ai_addrlen);
		freeaddrinfo(res);
	}
}

static void settings(repl_gate_t *g, const conf_t *conf)
{
	g->per_address = conf->replication.connections_per_address;
	g->timeout_ms = conf->replication.request_timeout_ms;
	peers_resolve(g, conf);
}

static void *reaper_main(void *arg)
{
	repl_gate_t *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!atomic_load(&g->stop)) {
		struct timespec until;
		int64_t now = mono_ms();

		for (unsigned i = 0; i < g->capacity; i++) {
			slot_t *s = &g->slots[i];
			char who[INET6_ADDRSTRLEN];

			if (!s->used || s->deadline_ms == 0 || now < s->deadline_ms)
				continue;
			s->deadline_ms = 0;
			/* The connection's thread sees end of input and closes it. */
			shutdown(s->fd, SHUT_RDWR);
			repl_stats_inc(g->stats, refused_slow, 1);
			addr_text((const struct sockaddr *)&s->addr, who, sizeof(who));
			repl_ratelog_refusal(g->log, REPL_REFUSAL_SLOW,
					     "connection from %s: request not complete within "
					     "%lld ms",
					     who, (long long)g->timeout_ms);
		}
		pthread_mutex_unlock(&g->lock);
		repl_ratelog_flush(g->log);
		pthread_mutex_lock(&g->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += REAP_EVERY_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (!atomic_load(&g->stop))
			pthread_cond_timedwait(&g->wake, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

repl_gate_t *repl_gate_new(const conf_t *conf, repl_stats_t *stats, repl_ratelog_t *log)
{
	repl_gate_t *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	g->stats = stats;
	g->log = log;
	g->reserved = conf->replication.peer_connections;
	g->capacity = REPL_GATE_GENERAL + g->reserved;
	g->slots = calloc(g->capacity, sizeof(*g->slots));
	settings(g, conf);
	if (g->slots == NULL || pthread_create(&g->reaper, NULL, reaper_main, g) != 0) {
		repl_gate_free(g);
		return NULL;
	}
	g->reaper_started = true;
	return g;
}

void repl_gate_reload(repl_gate_t *g, const conf_t *conf)
{
	pthread_mutex_lock(&g->lock);
	settings(g, conf); /* the reserve is sized at start: it is libmicrohttpd's limit */
	pthread_mutex_unlock(&g->lock);
}

unsigned repl_gate_capacity(const repl_gate_t *g)
{
	return g->capacity;
}

bool repl_gate_admit(repl_gate_t *g, const struct sockaddr *addr, socklen_t len)
{
	unsigned total = 0, others = 0, same = 0;
	bool peer = false, ok;
	char who[INET6_ADDRSTRLEN];

	(void)len;
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->peer_count && !peer; i++)
		peer = same_host(addr, (const struct sockaddr *)&g->peers[i]);
	for (unsigned i = 0; i < g->capacity; i++) {
		if (!g->slots[i].used)
			continue;
		total++;
		others += !g->slots[i].peer;
		same += same_host(addr, (const struct sockaddr *)&g->slots[i].addr);
	}
	ok = total < g->capacity &&
	     (peer || (same < g->per_address && others < REPL_GATE_GENERAL));
	pthread_mutex_unlock(&g->lock);
	if (!ok) {
		repl_stats_inc(g->stats, refused_busy, 1);
		addr_text(addr, who, sizeof(who));
		repl_ratelog_refusal(g->log, REPL_REFUSAL_BUSY,
				     "connection from %s: %u connections from it, %u in all", who,
				     same, total);
	}
	return ok;
}

void repl_gate_opened(repl_gate_t *g, int fd, const struct sockaddr *addr, void **slot)
{
	*slot = NULL;
	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i < g->capacity; i++) {
		slot_t *s = &g->slots[i];

		if (s->used)
			continue;
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->fd = fd;
		if (addr != NULL) {
			memcpy(&s->addr, addr,
			       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							   : sizeof(struct sockaddr_in));
			for (size_t j = 0; j < g->peer_count && !s->peer; j++)
				s->peer = same_host(addr, (const struct sockaddr *)&g->peers[j]);
		}
		s->deadline_ms = mono_ms() + g->timeout_ms;
		*slot = s;
		break;
	}
	pthread_mutex_unlock(&g->lock);
}

void repl_gate_closed(repl_gate_t *g, void **slot)
{
	pthread_mutex_lock(&g->lock);
	if (*slot != NULL)
		((slot_t *)*slot)->used = false;
	pthread_mutex_unlock(&g->lock);
	*slot = NULL;
}

void repl_gate_request_complete(repl_gate_t *g, void *slot)
{
	if (slot == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	((slot_t *)slot)->deadline_ms = 0;
	pthread_mutex_unlock(&g->lock);
}

void repl_gate_request_answered(repl_gate_t *g, void *slot)
{
	if (slot == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	if (((slot_t *)slot)->used)
		((slot_t *)slot)->deadline_ms = mono_ms() + g->timeout_ms;
	pthread_mutex_unlock(&g->lock);
}

void repl_gate_free(repl_gate_t *g)
{
	if (g == NULL)
		return;
	if (g->reaper_started) {
		pthread_mutex_lock(&g->lock);
		atomic_store(&g->stop, true);
		pthread_cond_signal(&g->wake);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->reaper, NULL);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g->slots);
	free(g);
}
