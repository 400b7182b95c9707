/* SPDX-License-Identifier: MIT */
/* repl_http_server.c -- the replication HTTP API other regions pull from (libmicrohttpd) */
#include "config.h"

#include "replicator/repl_http_server.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "base/json_escape.h"
#include "base/log.h"
#include "replicator/repl_codec.h"
#include "replicator/repl_collect.h"
#include "replicator/repl_gate.h"
#include "replicator/repl_ratelog.h"
#include "state/state.h"

#define POOL_MAX 8	   /* idle state connections kept */
#define ACKS_MAX 4096	   /* (peer, origin) cursors remembered for compaction */
/* Request nonces remembered: each until its own time plus the window, so at the default
 * 30 s window this holds about 8000 requests a second before refusing (fail closed). */
#define REPL_SERVER_NONCES (1u << 18)

/* What one peer said it holds of one origin, from its last pull. */
typedef struct {
	char peer[STATE_NAME_MAX];   /* the puller's region */
	char origin[STATE_NAME_MAX]; /* whose change log */
	uint64_t seq;		     /* highest seq of origin the peer holds */
} ack_t;

struct repl_http_server {
	struct MHD_Daemon *daemon;   /* libmicrohttpd, a thread per connection */
	repl_watch_t *watch;	     /* local commits wake long polls */
	repl_stats_t *stats;	     /* counters and lag served on /v1/stats */
	repl_nonce_cache_t *nonces;  /* request nonces seen: a replay is refused */
	repl_ratelog_t refusals;     /* refusal lines: the first, then a summary per interval */
	repl_gate_t *gate;	     /* connection limits and the whole-request deadline */
	char region[STATE_NAME_MAX]; /* this node's region */
	char *state_path;	     /* the SQLite file the pool's connections open */
	char *tls_cert_pem; /* file contents, kept for the daemon's lifetime */
	char *tls_key_pem;  /* file contents, kept for the daemon's lifetime */
	char address[64];   /* "HOST:PORT" as bound (a port 0 resolved to the kernel's pick) */

	pthread_mutex_t lock; /* guards everything below */
	repl_key_t key;	      /* shared secret; replaced on reload */
	uint32_t batch_max;	 /* entries per response */
	uint32_t long_poll_ms;	 /* longest wait of a pull */
	uint32_t window_ms;	 /* accepted message time skew */
	state_t *pool[POOL_MAX]; /* idle read-only connections */
	size_t pool_count;	 /* entries used in pool */
	ack_t acks[ACKS_MAX];	 /* each (peer, origin)'s last acknowledged seq */
	size_t ack_count;	 /* entries used in acks */
};

/* One request in progress: its body, bounded, and who claims to send it. */
typedef struct {
	repl_buf_t body;		/* the request body, capped at REPL_REQUEST_BODY_MAX */
	char peer[STATE_NAME_MAX + 48]; /* "region (address)" for logs */
	bool too_big;			/* the body passed the cap: answer 413, drop the rest */
	bool done; /* a response was queued */
} request_t;

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static state_t *pool_get(repl_http_server_t *s, char *err, size_t errlen)
{
	state_t *st = NULL;
	pthread_mutex_lock(&s->lock);
	if (s->pool_count > 0)
		st = s->pool[--s->pool_count];
	pthread_mutex_unlock(&s->lock);
	return st != NULL ? st : state_open_readonly(s->state_path, err, errlen);
}

static void pool_put(repl_http_server_t *s, state_t *st)
{
	pthread_mutex_lock(&s->lock);
	if (s->pool_count < POOL_MAX) {
		s->pool[s->pool_count++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	state_close(st);
}

/* Region ids are validated to fit STATE_NAME_MAX before they get here. */
static void name_copy(char dst[STATE_NAME_MAX], const char *src)
{
	size_t n = strnlen(src, STATE_NAME_MAX - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void ack_record(repl_http_server_t *s, const char *peer, const state_cursor_t *c, size_t n)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < s->ack_count; j++)
			if (strcmp(s->acks[j].peer, peer) == 0 &&
			    strcmp(s->acks[j].origin, c[i].origin) == 0)
				break;
		if (j == s->ack_count) {
			if (s->ack_count == ACKS_MAX) /* a flood of origins only delays compaction */
				break;
			s->ack_count++;
			name_copy(s->acks[j].peer, peer);
			name_copy(s->acks[j].origin, c[i].origin);
		}
		s->acks[j].seq = c[i].seq;
	}
	pthread_mutex_unlock(&s->lock);
}

uint64_t repl_http_server_acked_floor(repl_http_server_t *s, const char *origin,
				      const conf_peer_t *peers, size_t peer_count)
{
	uint64_t floor = UINT64_MAX;
	pthread_mutex_lock(&s->lock);
	for (size_t p = 0; p < peer_count && floor > 0; p++) {
		uint64_t seq = 0;
		for (size_t j = 0; j < s->ack_count; j++)
			if (strcmp(s->acks[j].peer, peers[p].region) == 0 &&
			    strcmp(s->acks[j].origin, origin) == 0)
				seq = s->acks[j].seq;
		if (seq < floor)
			floor = seq;
	}
	pthread_mutex_unlock(&s->lock);
	return floor == UINT64_MAX ? 0 : floor;
}

/* Signs and queues a response; takes ownership of body (malloc'd or NULL). */
static enum MHD_Result respond(repl_http_server_t *s, struct MHD_Connection *conn, request_t *req,
			       unsigned status, char *body, size_t len, const char *request_nonce)
{
	char nonce[REPL_NONCE_HEX + 1], sig[REPL_SIG_HEX + 1], status_text[8], time_text[24];
	int64_t now = wall_ms();
	snprintf(status_text, sizeof(status_text), "%u", status);
	snprintf(time_text, sizeof(time_text), "%" PRId64, now);
	repl_auth_msg_t msg = {.kind = "response",
			       .method = status_text,
			       .target = request_nonce ? request_nonce : "",
			       .region = s->region,
			       .time_ms = now,
			       .nonce = nonce,
			       .body = body,
			       .body_len = len};
	req->done = true;
	pthread_mutex_lock(&s->lock);
	int rc = repl_auth_nonce(nonce) == 0 ? repl_auth_sign(&s->key, &msg, sig) : -1;
	pthread_mutex_unlock(&s->lock);
	if (rc != 0) {
		free(body);
		return MHD_NO;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, REPL_HDR_REGION, s->region);
	MHD_add_response_header(r, REPL_HDR_TIME, time_text);
	MHD_add_response_header(r, REPL_HDR_NONCE, nonce);
	MHD_add_response_header(r, REPL_HDR_SIGNATURE, sig);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond_error(repl_http_server_t *s, struct MHD_Connection *conn,
				     request_t *req, unsigned status, const char *message,
				     const char *request_nonce)
{
	repl_buf_t b;
	repl_buf_init(&b, 4096);
	if (repl_buf_append(&b, "{\"error\":", 9) != 0 || repl_buf_json_string(&b, message) != 0 ||
	    repl_buf_append(&b, "}", 1) != 0) {
		repl_buf_free(&b);
		return MHD_NO;
	}
	return respond(s, conn, req, status, b.data, b.len, request_nonce);
}

/* The signed request target: path, then the query arguments in the order sent,
 * decoded, as "?k=v&k=v". Clients build the same text from what they encode. */
typedef struct {
	repl_buf_t *out; /* the target text being built */
	bool first;	 /* no argument written yet: the next one starts with '?' */
} target_walk_t;

static enum MHD_Result target_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	target_walk_t *w = cls;
	(void)kind;
	repl_buf_append(w->out, w->first ? "?" : "&", 1);
	repl_buf_append(w->out, key, strlen(key));
	if (value != NULL) {
		repl_buf_append(w->out, "=", 1);
		repl_buf_append(w->out, value, strlen(value));
	}
	w->first = false;
	return MHD_YES;
}

static const char *arg(struct MHD_Connection *conn, const char *key)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static int arg_u64(struct MHD_Connection *conn, const char *key, uint64_t def, uint64_t max,
		   uint64_t *out)
{
	const char *v = arg(conn, key);
	if (v == NULL) {
		*out = def;
		return 0;
	}
	char *end;
	if (*v < '0' || *v > '9')
		return -1;
	unsigned long long n = strtoull(v, &end, 10);
	if (*end != '\0' || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Has the puller closed its side? (A restarted peer leaves its old long poll behind;
 * without this the thread would wait out the whole long poll.) */
static bool peer_gone(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL)
		return false;
	struct pollfd pfd = {.fd = ci->connect_fd, .events = POLLRDHUP};
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static enum MHD_Result serve_changes(repl_http_server_t *s, struct MHD_Connection *conn,
				     request_t *req, const char *method, const char *claimed,
				     const char *nonce)
{
	repl_pull_t *pull = calloc(1, sizeof(*pull));
	char msg[256] = "", need[STATE_NAME_MAX] = "", jerr[200];
	bool only_listed = false;
	enum MHD_Result ret;

	if (pull == NULL)
		return MHD_NO;
	if (strcmp(method, "POST") == 0) {
		if (repl_pull_decode(req->body.data ? req->body.data : "", req->body.len, pull,
				     jerr, sizeof(jerr)) != 0) {
			repl_stats_inc(s->stats, refused_malformed, 1);
			repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_MALFORMED,
					     "request from %s: %s", req->peer, jerr);
			ret = respond_error(s, conn, req, MHD_HTTP_BAD_REQUEST, jerr, nonce);
			goto out;
		}
		ack_record(s, claimed, pull->cursors, pull->count);
	} else {
		uint64_t after, max, wait;
		const char *origin = arg(conn, "origin");
		if (origin == NULL || !repl_origin_valid(origin) ||
		    arg_u64(conn, "after", 0, INT64_MAX, &after) != 0 ||
		    arg_u64(conn, "max", s->batch_max, 100000, &max) != 0 || max == 0 ||
		    arg_u64(conn, "wait", 0, 600000, &wait) != 0) {
			repl_stats_inc(s->stats, refused_malformed, 1);
			repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_MALFORMED,
					     "request from %s: bad query arguments", req->peer);
			ret = respond_error(s, conn, req, MHD_HTTP_BAD_REQUEST,
					    "bad query arguments", nonce);
			goto out;
		}
		snprintf(pull->cursors[0].origin, sizeof(pull->cursors[0].origin), "%s", origin);
		pull->cursors[0].seq = after;
		pull->count = 1;
		pull->max = (uint32_t)max;
		pull->wait_ms = (uint32_t)wait;
		only_listed = true;
	}
	pthread_mutex_lock(&s->lock);
	size_t max = pull->max < s->batch_max ? pull->max : s->batch_max;
	uint32_t wait = pull->wait_ms < s->long_poll_ms ? pull->wait_ms : s->long_poll_ms;
	pthread_mutex_unlock(&s->lock);

	int64_t deadline = repl_monotonic_ms() + wait;
	state_t *st = pool_get(s, msg, sizeof(msg));
	if (st == NULL) {
		log_error("cannot open the state store: %s", msg);
		ret = respond_error(s, conn, req, MHD_HTTP_SERVICE_UNAVAILABLE,
				    "state store unavailable", nonce);
		goto out;
	}
	repl_buf_t body;
	for (;;) {
		uint64_t gen = repl_watch_generation(s->watch);
		repl_buf_init(&body, REPL_RESPONSE_BODY_MAX);
		int rc = repl_collect(st, s->region, claimed, s->stats, pull, only_listed, max, &body,
				      msg, sizeof(msg), need);
		if (rc == -2) {
			repl_buf_free(&body);
			log_info(
			    "peer %s is behind the retained log of %s: sending it to bootstrap",
			    req->peer, need);
			ret = respond_error(s, conn, req, MHD_HTTP_CONFLICT, "snapshot needed",
					    nonce);
			break;
		}
		if (rc < 0) {
			repl_buf_free(&body);
			log_error("pull from %s failed: %s", req->peer, msg);
			ret =
			    respond_error(s, conn, req, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, nonce);
			break;
		}
		int64_t left = deadline - repl_monotonic_ms();
		if (rc == 0 && left > 0 && !peer_gone(conn)) {
			/* Wake at least once a second to notice a puller that hung up. */
			int w =
			    repl_watch_wait(s->watch, gen, (uint32_t)(left < 1000 ? left : 1000));
			if (w >= 0) {
				repl_buf_free(&body);
				continue;
			}
		}
		if (rc == 0 && peer_gone(conn)) {
			repl_buf_free(&body);
			log_debug("pull from %s: the puller hung up", req->peer);
			req->done = true; /* not a truncated request: it was complete */
			ret = MHD_NO;	  /* nobody to answer: free the thread now */
			break;
		}
		ret = respond(s, conn, req, MHD_HTTP_OK, body.data, body.len, nonce);
		break;
	}
	pool_put(s, st);
out:
	free(pull);
	return ret;
}

static enum MHD_Result serve_cursors(repl_http_server_t *s, struct MHD_Connection *conn,
				     request_t *req, const char *nonce)
{
	char msg[256];
	state_cursor_t *heads = NULL;
	size_t n = 0;
	repl_buf_t b;
	state_t *st = pool_get(s, msg, sizeof(msg));
	if (st == NULL)
		return respond_error(s, conn, req, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "state store unavailable", nonce);
	int rc = state_cursors_list(st, &heads, &n);
	pool_put(s, st);
	if (rc != 0)
		return respond_error(s, conn, req, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "cannot list cursors", nonce);
	repl_buf_init(&b, REPL_RESPONSE_BODY_MAX);
	rc = repl_buf_append(&b, "{\"region\":", 10) | repl_buf_json_string(&b, s->region) |
	     repl_buf_append(&b, ",\"cursors\":{", 12);
	for (size_t i = 0; i < n; i++) {
		rc |= i ? repl_buf_append(&b, ",", 1) : 0;
		rc |= repl_buf_json_string(&b, heads[i].origin) |
		      repl_buf_printf(&b, ":%" PRIu64, heads[i].seq);
	}
	rc |= repl_buf_append(&b, "}}", 2);
	free(heads);
	if (rc != 0) {
		repl_buf_free(&b);
		return respond_error(s, conn, req, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "response too large", nonce);
	}
	return respond(s, conn, req, MHD_HTTP_OK, b.data, b.len, nonce);
}

static enum MHD_Result serve_snapshot(repl_http_server_t *s, struct MHD_Connection *conn,
				      request_t *req, const char *nonce)
{
	char msg[256];
	char *json = NULL;
	state_t *st = pool_get(s, msg, sizeof(msg));
	if (st == NULL)
		return respond_error(s, conn, req, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "state store unavailable", nonce);
	int rc = state_snapshot_export(st, &json);
	if (rc != 0)
		snprintf(msg, sizeof(msg), "%s", state_errmsg(st));
	pool_put(s, st);
	if (rc != 0) {
		log_error("snapshot for %s failed: %s", req->peer, msg);
		return respond_error(s, conn, req, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "snapshot failed", nonce);
	}
	size_t len = strlen(json);
	if (!json_utf8_valid(json, len)) {
		/* Rows stored before text was repaired on write: send them as \ufffd, or the
		 * puller's parser refuses the snapshot and never bootstraps. */
		repl_buf_t b;
		repl_buf_init(&b, SIZE_MAX);
		int bad = repl_buf_json_text(&b, json, len);
		free(json);
		if (bad != 0 || b.overflow) {
			repl_buf_free(&b);
			log_error("snapshot for %s failed: out of memory", req->peer);
			return respond_error(s, conn, req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					     "snapshot failed", nonce);
		}
		json = b.data;
		len = b.len;
	}
	repl_stats_inc(s->stats, snapshots_served, 1);
	repl_stats_inc(s->stats, bytes_sent, len);
	log_info("sending a snapshot to %s", req->peer);
	return respond(s, conn, req, MHD_HTTP_OK, json, len, nonce);
}

static enum MHD_Result serve_stats(repl_http_server_t *s, struct MHD_Connection *conn,
				   request_t *req, const char *nonce)
{
	repl_buf_t b;
	repl_buf_init(&b, 65536);
	if (repl_stats_json(s->stats, &b) != 0) {
		repl_buf_free(&b);
		return MHD_NO;
	}
	return respond(s, conn, req, MHD_HTTP_OK, b.data, b.len, nonce);
}

/* Authenticates a complete request, then routes it. */
static enum MHD_Result dispatch(repl_http_server_t *s, struct MHD_Connection *conn, request_t *req,
				const char *url, const char *method)
{
	const char *claimed = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, REPL_HDR_REGION);
	const char *time_text = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, REPL_HDR_TIME);
	const char *nonce = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, REPL_HDR_NONCE);
	const char *sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, REPL_HDR_SIGNATURE);
	int64_t when, now = wall_ms();
	repl_buf_t target;
	int rc;

	/* Received whole: the deadline for the request stops (a long poll may now wait). */
	const union MHD_ConnectionInfo *sc =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	repl_gate_request_complete(s->gate, sc != NULL ? sc->socket_context : NULL);
	if (req->too_big) {
		repl_stats_inc(s->stats, refused_oversized, 1);
		repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_OVERSIZED,
				     "request from %s: body larger than %d bytes", req->peer,
				     REPL_REQUEST_BODY_MAX);
		return respond_error(s, conn, req, 413, "body too large", NULL);
	}
	if (claimed == NULL || time_text == NULL || nonce == NULL || sig == NULL ||
	    !repl_origin_valid(claimed) || repl_auth_parse_time(time_text, &when) != 0 ||
	    strlen(nonce) != REPL_NONCE_HEX) {
		repl_stats_inc(s->stats, refused_unauthenticated, 1);
		repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_UNAUTHENTICATED,
				     "request from %s: missing or malformed authentication headers",
				     req->peer);
		return respond_error(s, conn, req, MHD_HTTP_UNAUTHORIZED, "authentication required",
				     NULL);
	}
	repl_buf_init(&target, 8192);
	target_walk_t walk = {.out = &target, .first = true};
	repl_buf_append(&target, url, strlen(url));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, target_arg, &walk);
	repl_auth_msg_t msg = {.kind = "request",
			       .method = method,
			       .target = target.overflow ? "" : target.data,
			       .region = claimed,
			       .time_ms = when,
			       .nonce = nonce,
			       .body = req->body.data,
			       .body_len = req->body.len};
	pthread_mutex_lock(&s->lock);
	rc = target.overflow ? -1 : repl_auth_verify(&s->key, &msg, sig);
	int64_t window = s->window_ms;
	pthread_mutex_unlock(&s->lock);
	repl_buf_free(&target);
	if (rc != 0) {
		repl_stats_inc(s->stats, refused_unauthenticated, 1);
		repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_UNAUTHENTICATED,
				     "request from %s: bad signature", req->peer);
		return respond_error(s, conn, req, MHD_HTTP_UNAUTHORIZED, "bad signature", NULL);
	}
	if (repl_auth_time_ok(when, now, window) != 0) {
		repl_stats_inc(s->stats, refused_stale, 1);
		repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_STALE,
				     "request from %s: time %" PRId64 " ms off", req->peer, when - now);
		/* The signature held: answer over the request's nonce, so the puller can trust
		 * this answer and report its clock, not a bad signature. */
		return respond_error(s, conn, req, MHD_HTTP_UNAUTHORIZED,
				     "request time outside the window", nonce);
	}
	/* A request is accepted only while |now - when| <= window: its nonce needs keeping
	 * until when + window, no longer. */
	repl_nonce_result_t nr = repl_nonce_cache_check(s->nonces, nonce, now, when + window + 1);
	if (nr != REPL_NONCE_FRESH) {
		bool replay = nr == REPL_NONCE_REPLAY;
		if (replay)
			repl_stats_inc(s->stats, refused_replay, 1);
		else
			repl_stats_inc(s->stats, refused_unauthenticated, 1);
		repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_REPLAY, "request from %s: %s",
				     req->peer,
				     replay		     ? "replayed nonce"
				     : nr == REPL_NONCE_FULL ? "nonce cache full"
							     : "malformed nonce");
		return respond_error(s, conn, req, MHD_HTTP_UNAUTHORIZED,
				     replay ? "replayed request" : "nonce refused", NULL);
	}
	repl_stats_inc(s->stats, requests, 1);
	repl_stats_heard_set(s->stats, claimed, repl_monotonic_ms()); /* see repl_stats.h */
	if (strcmp(url, "/v1/changes") == 0 &&
	    (strcmp(method, "POST") == 0 || strcmp(method, "GET") == 0))
		return serve_changes(s, conn, req, method, claimed, nonce);
	if (strcmp(method, "GET") != 0)
		return respond_error(s, conn, req, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed", nonce);
	if (strcmp(url, "/v1/cursors") == 0)
		return serve_cursors(s, conn, req, nonce);
	if (strcmp(url, "/v1/snapshot") == 0)
		return serve_snapshot(s, conn, req, nonce);
	if (strcmp(url, "/v1/stats") == 0)
		return serve_stats(s, conn, req, nonce);
	return respond_error(s, conn, req, MHD_HTTP_NOT_FOUND, "no such endpoint", nonce);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	repl_http_server_t *s = cls;
	request_t *req = *con_cls;
	(void)version;

	if (req == NULL) {
		req = calloc(1, sizeof(*req));
		if (req == NULL)
			return MHD_NO;
		repl_buf_init(&req->body, REPL_REQUEST_BODY_MAX);
		const char *claimed =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, REPL_HDR_REGION);
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		char addr[INET6_ADDRSTRLEN] = "?";
		if (ci != NULL && ci->client_addr != NULL) {
			const struct sockaddr *sa = ci->client_addr;
			if (sa->sa_family == AF_INET)
				inet_ntop(AF_INET,
					  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
					  addr, sizeof(addr));
			else if (sa->sa_family == AF_INET6)
				inet_ntop(
				    AF_INET6,
				    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				    addr, sizeof(addr));
		}
		snprintf(req->peer, sizeof(req->peer), "%s (%s)",
			 claimed != NULL && repl_origin_valid(claimed) ? claimed : "unnamed peer",
			 addr);
		*con_cls = req;
		/* Refuse an announced oversized body before reading a byte of it. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > REPL_REQUEST_BODY_MAX) {
			req->too_big = true;
			return dispatch(s, conn, req, url, method);
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!req->too_big && repl_buf_append(&req->body, upload, *upload_size) != 0)
			req->too_big = true;
		*upload_size = 0;
		if (req->too_big && !req->done)
			return dispatch(s, conn, req, url, method);
		return MHD_YES;
	}
	if (req->done)
		return MHD_YES;
	return dispatch(s, conn, req, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	repl_http_server_t *s = cls;
	request_t *req = *con_cls;
	const union MHD_ConnectionInfo *sc =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	/* The next request on this connection has its own deadline from now. */
	repl_gate_request_answered(s->gate, sc != NULL ? sc->socket_context : NULL);
	if (req == NULL)
		return;
	if (!req->done && toe != MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN) {
		repl_stats_inc(s->stats, refused_truncated, 1);
		repl_ratelog_refusal(&s->refusals, REPL_REFUSAL_TRUNCATED,
				     "request from %s: connection ended before the request was "
				     "complete (%zu body bytes)",
				     req->peer, req->body.len);
	}
	repl_buf_free(&req->body);
	free(req);
	*con_cls = NULL;
}

/* libmicrohttpd's own messages, as one log line each. A handler giving up on a
 * connection (a puller that hung up) reads "Application reported internal error". */
static void mhd_log(void *cls, const char *fmt, va_list ap) M_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vmsg(LOG_LEVEL_INFO, "libmicrohttpd", fmt, ap);
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	repl_buf_t b;
	repl_buf_init(&b, 1 << 20);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		repl_buf_append(&b, chunk, n);
	fclose(f);
	if (b.overflow || b.len == 0) {
		snprintf(err, errlen, "%s: empty or larger than 1 MiB", path);
		repl_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	repl_http_server_t *s = cls;
	return repl_gate_admit(s->gate, addr, len) ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	repl_http_server_t *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		repl_gate_closed(s->gate, socket_context);
		return;
	}
	const union MHD_ConnectionInfo *fd =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *ca =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	repl_gate_opened(s->gate, fd != NULL ? fd->connect_fd : -1,
			 ca != NULL ? ca->client_addr : NULL, socket_context);
}

void repl_http_server_reload(repl_http_server_t *s, const conf_t *conf, const repl_key_t *key)
{
	repl_gate_reload(s->gate, conf);
	repl_ratelog_set_interval(&s->refusals, conf->replication.refusal_log_interval_ms);
	pthread_mutex_lock(&s->lock);
	s->key = *key;
	s->batch_max = conf->replication.batch_max ? conf->replication.batch_max : 500;
	s->long_poll_ms = conf->replication.long_poll_ms;
	s->window_ms =
	    conf->replication.max_clock_skew_ms ? conf->replication.max_clock_skew_ms : 30000;
	pthread_mutex_unlock(&s->lock);
}

/* Sets s->address to the listen address with the port the daemon bound: the configured
 * one, or the kernel's pick for port 0 (which a test or an operator reads from the log). */
static void server_address_set(repl_http_server_t *s, const conf_sockaddr_t *listen)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	bool v6 = listen->addr.ss_family == AF_INET6;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&listen->addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&listen->addr;
	char host[INET6_ADDRSTRLEN] = "?";
	inet_ntop(listen->addr.ss_family, v6 ? (const void *)&sin6->sin6_addr : &sin->sin_addr, host,
		  sizeof(host));
	unsigned port = info != NULL && info->port != 0 ? info->port
				: ntohs(v6 ? sin6->sin6_port : sin->sin_port);
	snprintf(s->address, sizeof(s->address), v6 ? "[%s]:%u" : "%s:%u", host, port);
}

repl_http_server_t *repl_http_server_start(const conf_t *conf, const repl_key_t *key,
					   repl_watch_t *watch, repl_stats_t *stats, char *err,
					   size_t errlen)
{
	repl_http_server_t *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->watch = watch;
	s->stats = stats;
	snprintf(s->region, sizeof(s->region), "%s", conf->region);
	s->state_path = strdup(conf->state_path);
	s->nonces = repl_nonce_cache_new(REPL_SERVER_NONCES);
	repl_ratelog_init(&s->refusals, conf->replication.refusal_log_interval_ms);
	s->gate = repl_gate_new(conf, stats, &s->refusals);
	if (s->state_path == NULL || s->nonces == NULL || s->gate == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	repl_http_server_reload(s, conf, key);
	unsigned flags =
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (conf->replication.listen.addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	bool tls = conf->replication.tls_cert != NULL && conf->replication.tls_key != NULL;
	if (tls) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen,
				 "replication.tls_cert: this libmicrohttpd has no TLS support");
			goto fail;
		}
		s->tls_cert_pem = read_file(conf->replication.tls_cert, err, errlen);
		if (s->tls_cert_pem == NULL)
			goto fail;
		s->tls_key_pem = read_file(conf->replication.tls_key, err, errlen);
		if (s->tls_key_pem == NULL)
			goto fail;
		flags |= MHD_USE_TLS;
	}
	/* clang-format off */
	s->daemon = MHD_start_daemon(flags, 0, on_accept, s, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&conf->replication.listen.addr,
		MHD_OPTION_CONNECTION_LIMIT, repl_gate_capacity(s->gate),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		/* Without TLS the list ends here. */
		tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, s->tls_cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, s->tls_key_pem,
		MHD_OPTION_END);
	/* clang-format on */
	if (s->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s", conf->replication.listen.text);
		goto fail;
	}
	server_address_set(s, &conf->replication.listen);
	log_info("listening on %s", s->address);
	return s;
fail:
	repl_http_server_stop(s);
	return NULL;
}

const char *repl_http_server_address(const repl_http_server_t *s)
{
	return s->address;
}

void repl_http_server_stop(repl_http_server_t *s)
{
	if (s == NULL)
		return;
	if (s->daemon != NULL)
		MHD_stop_daemon(s->daemon);
	repl_gate_free(s->gate);
	repl_ratelog_destroy(&s->refusals);
	for (size_t i = 0; i < s->pool_count; i++)
		state_close(s->pool[i]);
	repl_nonce_cache_free(s->nonces);
	free(s->state_path);
	free(s->tls_cert_pem);
	free(s->tls_key_pem);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
