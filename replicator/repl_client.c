/* SPDX-License-Identifier: MIT */
/* repl_client.c -- the pull loop: long-polls every peer (libcurl multi) and applies what comes */
#include "config.h"

#include "replicator/repl_client.h"

#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "base/log.h"
#include "replicator/repl_client_internal.h"
#include "replicator/repl_codec.h"
#include "state/state.h"

#define SNAPSHOT_BODY_MAX (32u << 20) /* bytes: a larger snapshot is refused */
/* After an error a peer is retried after a delay doubling from BACKOFF_MIN_MS to the cap,
 * drawn in [half, whole] (regions restarted together do not retry in step): a healed path
 * waits at most a second for us, a peer really down sees one attempt a second. */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 1000
/* A connection (TCP and TLS) must be up within this: a SYN lost on a cut path is resent
 * after 1 s; a new try after backoff comes sooner than a third SYN would. */
#define CONNECT_TIMEOUT_MS 2000
/* A pull whose answer has not begun within its wait plus a margin is given up (the peer
 * is stopped or the path cut; an answer stuck in TCP retransmission may come only seconds
 * after healing): healing takes about long_poll + 1 s at most. The margin doubles, to the
 * max, each time a peer that does answer (a connection is made) is too slow for it, a
 * loaded machine, and halves back once answers come well within it. */
#define ANSWER_MARGIN_MS 1000
#define ANSWER_MARGIN_MAX_MS 8000
/* A peer that reached our server makes us retry it at once, unless our try is younger. */
#define RETRY_ON_CONTACT_MIN_MS 200
#define LOOP_MAX_SLEEP_MS 200
#define EMPTY_POLL_MIN_MS 100 /* at most 10 empty answers a second per peer */

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	peer_t *p = arg;
	size_t n = size * nmemb;
	/* Returning short aborts the transfer: memory stays bounded whatever the peer sends. */
	return repl_buf_append(&p->body, data, n) == 0 ? n : 0;
}

/* The connection is up (new or reused): from here a silent peer is answer_overdue's
 * business, not a reason to connect anew. */
static int on_connected(void *arg, char *conn_primary_ip, char *conn_local_ip,
			int conn_primary_port, int conn_local_port)
{
	peer_t *p = arg;
	(void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
	p->connected = true;
	return CURL_PREREQFUNC_OK;
}

static void header_copy(char *dst, size_t size, const char *v, size_t n)
{
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	while (n > 0 && *v == ' ')
		v++, n--;
	if (n >= size)
		n = 0; /* too long to be ours: leave empty so verification fails */
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	peer_t *p = arg;
	size_t n = size * nmemb;
	static const struct {
		const char *name;
		size_t off, size;
	} wanted[] = {
	    {REPL_HDR_REGION, offsetof(peer_t, h_region), sizeof(((peer_t *)0)->h_region)},
	    {REPL_HDR_TIME, offsetof(peer_t, h_time), sizeof(((peer_t *)0)->h_time)},
	    {REPL_HDR_NONCE, offsetof(peer_t, h_nonce), sizeof(((peer_t *)0)->h_nonce)},
	    {REPL_HDR_SIGNATURE, offsetof(peer_t, h_sig), sizeof(((peer_t *)0)->h_sig)},
	};
	if (!p->answering)
		p->first_byte_ms = repl_monotonic_ms();
	p->answering = true;
	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue): forget the previous one's headers. */
		p->h_region[0] = p->h_time[0] = p->h_nonce[0] = p->h_sig[0] = '\0';
		return n;
	}
	for (size_t i = 0; i < M_ARRAY_LEN(wanted); i++) {
		size_t l = strlen(wanted[i].name);
		if (n > l && line[l] == ':' && strncasecmp(line, wanted[i].name, l) == 0)
			header_copy((char *)p + wanted[i].off, wanted[i].size, line + l + 1,
				    n - l - 1);
	}
	return n;
}

static void peer_error(repl_client_t *c, peer_t *p, const char *fmt, ...) M_PRINTF(3, 4);
static void peer_error(repl_client_t *c, peer_t *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->status.last_error, sizeof(p->status.last_error), fmt, ap);
	va_end(ap);
	log_repeat_warn(&p->unreachable, repl_monotonic_ms(), c->warn_every_ms, "peer %s (%s): %s",
			p->region, p->url, p->status.last_error);
	p->status.errors++;
	p->status.last_error_ms = wall_ms();
	p->status_dirty = true;
	p->status_written_ms = 0; /* errors are written at once */
	uint32_t next = p->backoff_ms == 0 ? BACKOFF_MIN_MS : p->backoff_ms * 2;
	p->backoff_ms = next > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : next;
	p->failed = true;
	repl_client_identity_gate(c);
	uint32_t half = p->backoff_ms / 2;
	p->next_ms = repl_monotonic_ms() + half + (int64_t)(rand_r(&c->jitter_seed) % (half + 1));
}

static int sign_headers(repl_client_t *c, peer_t *p, const char *method, const char *target)
{
	char sig[REPL_SIG_HEX + 1], line[160];
	int64_t now = wall_ms();
	if (repl_auth_nonce(p->req_nonce) != 0)
		return -1;
	repl_auth_msg_t msg = {.kind = "request",
			       .method = method,
			       .target = target,
			       .region = c->region,
			       .time_ms = now,
			       .nonce = p->req_nonce,
			       .body = p->request.data,
			       .body_len = p->request.len};
	if (repl_auth_sign(c->key, &msg, sig) != 0)
		return -1;
	struct curl_slist *h = NULL, *t;
	const char *lines[] = {"Content-Type: application/json", "Expect:"};
	for (size_t i = 0; i < M_ARRAY_LEN(lines); i++)
		h = (t = curl_slist_append(h, lines[i])) ? t : h;
	snprintf(line, sizeof(line), "%s: %s", REPL_HDR_REGION, c->region);
	h = (t = curl_slist_append(h, line)) ? t : h;
	snprintf(line, sizeof(line), "%s: %" PRId64, REPL_HDR_TIME, now);
	h = (t = curl_slist_append(h, line)) ? t : h;
	snprintf(line, sizeof(line), "%s: %s", REPL_HDR_NONCE, p->req_nonce);
	h = (t = curl_slist_append(h, line)) ? t : h;
	snprintf(line, sizeof(line), "%s: %s", REPL_HDR_SIGNATURE, sig);
	h = (t = curl_slist_append(h, line)) ? t : h;
	p->headers = h;
	return h != NULL ? 0 : -1;
}

static int build_pull(repl_client_t *c, peer_t *p)
{
	state_cursor_t *held = NULL;
	size_t n = 0;
	repl_pull_t *pull = calloc(1, sizeof(*pull));
	int rc = -1;
	if (pull == NULL)
		return -1;
	if (state_cursors_list(c->st, &held, &n) != 0) {
		log_error("cannot list cursors: %s", state_errmsg(c->st));
		goto out;
	}
	for (size_t i = 0; i < n && pull->count < REPL_ORIGINS_MAX; i++) {
		snprintf(pull->cursors[pull->count].origin, STATE_NAME_MAX, "%s", held[i].origin);
		pull->cursors[pull->count++].seq = held[i].seq;
	}
	pull->max = c->batch_max;
	/* The first pull after start is answered at once: what the peer holds of our origin
	 * gates serving our own entries (identity_check). */
	pull->wait_ms = p->answered ? c->long_poll_ms : 0;
	p->asked_max = pull->max;
	p->asked_wait_ms = pull->wait_ms;
	repl_buf_init(&p->request, REPL_REQUEST_BODY_MAX);
	rc = repl_pull_encode(pull, &p->request);
out:
	free(held);
	free(pull);
	return rc;
}

static void request_start(repl_client_t *c, peer_t *p)
{
	char url[STATE_TEXT_MAX + 32];
	bool snap = p->need_snapshot;
	const char *target = snap ? "/v1/snapshot" : "/v1/changes";

	p->snapshot = snap;
	p->started_ms = repl_monotonic_ms();
	p->answering = p->connected = false;
	p->h_region[0] = p->h_time[0] = p->h_nonce[0] = p->h_sig[0] = '\0';
	p->curl_error[0] = '\0';
	repl_buf_init(&p->body, snap ? SNAPSHOT_BODY_MAX : REPL_RESPONSE_BODY_MAX);
	if (snap)
		repl_buf_init(&p->request, 1);
	else if (build_pull(c, p) != 0)
		goto fail;
	if (sign_headers(c, p, snap ? "GET" : "POST", target) != 0)
		goto fail;
	snprintf(url, sizeof(url), "%s%s", p->url, target);
	p->easy = curl_easy_init();
	if (p->easy == NULL)
		goto fail;
	curl_easy_setopt(p->easy, CURLOPT_URL, url);
	curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
	curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(p->easy, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_PREREQFUNCTION, on_connected);
	curl_easy_setopt(p->easy, CURLOPT_PREREQDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_ERRORBUFFER, p->curl_error);
	curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	/* A pull whose answer does not begin within its wait plus ANSWER_MARGIN_MS is given
	 * up by the loop (answer_overdue); this bounds the whole transfer, a large batch on a
	 * slow path included. Keepalives find a dead path during a transfer. */
	curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS,
			 snap ? (long)c->long_poll_ms + 60000L : (long)p->asked_wait_ms + 10000L);
	curl_easy_setopt(p->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(p->easy, CURLOPT_TCP_KEEPIDLE, 5L);
	curl_easy_setopt(p->easy, CURLOPT_TCP_KEEPINTVL, 2L);
	curl_easy_setopt(p->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->easy, CURLOPT_TCP_NODELAY, 1L);
	if (c->tls_ca != NULL)
		curl_easy_setopt(p->easy, CURLOPT_CAINFO, c->tls_ca);
	if (c->source_address != NULL)
		curl_easy_setopt(p->easy, CURLOPT_INTERFACE, c->source_address);
	if (!snap) {
		curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, p->request.data);
		curl_easy_setopt(p->easy, CURLOPT_POSTFIELDSIZE, (long)p->request.len);
	}
	if (curl_multi_add_handle(c->multi, p->easy) != CURLM_OK)
		goto fail;
	return;
fail:
	if (p->easy != NULL)
		curl_easy_cleanup(p->easy);
	p->easy = NULL;
	curl_slist_free_all(p->headers);
	p->headers = NULL;
	repl_buf_free(&p->request);
	repl_buf_free(&p->body);
	peer_error(c, p, "cannot start a request");
}

/* Checks the response's signature, origin, time and nonce. 0, or -1 after counting. */
static int response_verify(repl_client_t *c, peer_t *p, long status)
{
	char status_text[8];
	int64_t when, now = wall_ms();
	snprintf(status_text, sizeof(status_text), "%ld", status);
	repl_auth_msg_t msg = {.kind = "response",
			       .method = status_text,
			       .target = p->req_nonce,
			       .region = p->h_region,
			       .nonce = p->h_nonce,
			       .body = p->body.data,
			       .body_len = p->body.len};
	if (p->h_sig[0] == '\0' || repl_auth_parse_time(p->h_time, &when) != 0 ||
	    strlen(p->h_nonce) != REPL_NONCE_HEX) {
		repl_stats_inc(c->stats, refused_unauthenticated, 1);
		peer_error(c, p, "refused response (HTTP %ld): missing authentication headers",
			   status);
		return -1;
	}
	msg.time_ms = when;
	if (repl_auth_verify(c->key, &msg, p->h_sig) != 0) {
		/* A refusal the peer made before it could trust our request is signed over no
		 * nonce: still the peer's own words, never applied, so say what it said. */
		msg.target = "";
		if (status >= 400 && status != 409 && repl_auth_verify(c->key, &msg, p->h_sig) == 0) {
			repl_stats_inc(c->stats, pull_errors, 1);
			peer_error(c, p, "our request was refused (HTTP %ld): %.200s", status,
				   p->body.data ? p->body.data : "");
			return -1;
		}
		repl_stats_inc(c->stats, refused_unauthenticated, 1);
		peer_error(c, p, "refused response (HTTP %ld): bad signature", status);
		return -1;
	}
	if (strcmp(p->h_region, p->region) != 0) {
		repl_stats_inc(c->stats, refused_unauthenticated, 1);
		peer_error(c, p, "refused response: it answers as region '%s'", p->h_region);
		return -1;
	}
	if (repl_auth_time_ok(when, now, c->skew_ms) != 0) {
		repl_stats_inc(c->stats, refused_stale, 1);
		peer_error(c, p,
			   "refused response: clock error: its clock is %" PRId64
			   " ms off ours, more than max_clock_skew (%" PRId64 " ms) allows",
			   when - now, c->skew_ms);
		return -1;
	}
	for (size_t i = 0; i < REPL_SEEN_NONCES; i++)
		if (strcmp(p->seen[i], p->h_nonce) == 0) {
			repl_stats_inc(c->stats, refused_replay, 1);
			peer_error(c, p, "refused response: replayed nonce");
			return -1;
		}
	memcpy(p->seen[p->seen_next], p->h_nonce, REPL_NONCE_HEX + 1);
	p->seen_next = (p->seen_next + 1) % REPL_SEEN_NONCES;
	if (status == 401 && p->body.data != NULL &&
	    strstr(p->body.data, "request time outside the window") != NULL) {
		repl_stats_inc(c->stats, pull_errors, 1);
		peer_error(c, p,
			   "clock error: the peer refused our request's time: our clock is %" PRId64
			   " ms off its clock, more than max_clock_skew (%" PRId64 " ms) allows",
			   now - when, c->skew_ms);
		return -1;
	}
	return 0;
}

static void batch_apply(repl_client_t *c, peer_t *p)
{
	repl_batch_t *b = calloc(1, sizeof(*b));
	char err[256];
	int64_t now = wall_ms();
	if (b == NULL) {
		peer_error(c, p, "out of memory");
		return;
	}
	if (repl_batch_decode(p->body.data ? p->body.data : "", p->body.len, p->asked_max, b, err,
			      sizeof(err)) != 0) {
		repl_stats_inc(c->stats, refused_malformed, 1);
		peer_error(c, p, "refused batch: %s", err);
		goto out;
	}
	if (strcmp(b->region, p->region) != 0) {
		repl_stats_inc(c->stats, refused_malformed, 1);
		peer_error(c, p, "refused batch: it names region '%s'", b->region);
		goto out;
	}
	uint64_t newest = 0;
	for (size_t i = 0; i < b->count; i++) {
		int64_t at = (int64_t)(b->entries[i].hlc >> 16);
		if (at > now + c->skew_ms) {
			repl_stats_inc(c->stats, refused_clock, 1);
			peer_error(c, p,
				   "refused batch: entry %s/%" PRIu64 " is stamped %" PRId64
				   " ms in the future",
				   b->entries[i].origin, b->entries[i].seq, at - now);
			goto out;
		}
		if (b->entries[i].hlc > newest)
			newest = b->entries[i].hlc;
	}
	int applied = 0;
	if (b->count > 0) {
		applied = state_changes_apply(c->st, b->entries, b->count);
		if (applied < 0) {
			repl_stats_inc(c->stats, apply_errors, 1);
			peer_error(c, p, "batch of %zu entries not applied: %s", b->count,
				   state_errmsg(c->st));
			goto out;
		}
	}
	repl_stats_inc(c->stats, pulls, 1);
	if (applied > 0) {
		repl_stats_inc(c->stats, entries_applied, (uint64_t)applied);
		repl_stats_inc(c->stats, batches_applied, 1);
		/* Wake our own long polls now: relaying must not wait for the watch's next poll. */
		repl_watch_notify(c->watch);
		log_debug("peer %s: applied %d of %zu entries", p->region, applied, b->count);
	}
	repl_client_identity_check(c, p, b);
	repl_client_digest_compare(c, p, b);
	p->status.last_contact_ms = now;
	log_repeat_end(&p->unreachable, repl_monotonic_ms(), "reachable again");
	p->status.lag_ms = repl_client_lag_record(c, p, b, now);
	p->status_dirty = true;
	p->backoff_ms = 0;
	if (p->margin_ms > ANSWER_MARGIN_MS &&
	    p->first_byte_ms - p->started_ms - (int64_t)p->asked_wait_ms < p->margin_ms / 4)
		p->margin_ms /= 2;
	/* Nothing new came back quickly: the peer does not long-poll (long_poll 0 there or
	 * here); pace the polls rather than spin. */
	p->next_ms = b->count == 0 && !b->more ? p->started_ms + EMPTY_POLL_MIN_MS : 0;
out:
	repl_batch_free(b);
	free(b);
}

static void snapshot_import(repl_client_t *c, peer_t *p)
{
	/* Checked by the code that applies it, in the import transaction: the strict
	 * reader, then SQLite's JSON functions (state_internal.h). A body with a NUL in it
	 * is not the document either would see. */
	if (p->body.data == NULL || strlen(p->body.data) != p->body.len) {
		repl_stats_inc(c->stats, refused_malformed, 1);
		peer_error(c, p, "refused snapshot: empty or holds a NUL byte");
		return;
	}
	size_t replaced = 0;
	int rc = state_snapshot_import_replace(c->st, p->body.data, p->region,
					       wall_ms() + c->skew_ms, p->replace, p->replace_count,
					       &replaced);
	if (rc != 0) {
		if (rc == -2)
			repl_stats_inc(c->stats, refused_clock, 1);
		else
			repl_stats_inc(c->stats, refused_malformed, 1);
		peer_error(c, p, "refused snapshot: %s", state_errmsg(c->st));
		return;
	}
	repl_stats_inc(c->stats, snapshots_imported, 1);
	if (p->resync) {
		repl_stats_inc(c->stats, resyncs, 1);
		log_info("peer %s: re-sync done (%zu table/origin pairs replaced)", p->region,
			 p->replace_count);
		/* Rows of ours that gave way to the authority's copy whatever their hlc (two
		 * audit events numbered alike): said, never silent. */
		if (replaced > 0)
			log_warn("peer %s: re-sync replaced %zu of our rows that differed from its"
				 " copy of the same key",
				 p->region, replaced);
	}
	if (p->local_repair) {
		c->digest_checked = 0; /* recompute now: resolved when they agree again */
		repl_client_digest_verify(c, repl_monotonic_ms());
		if (state_divergence_resolved(c->st, "(local)") != 0)
			log_warn("cannot record the repair: %s", state_errmsg(c->st));
	}
	free(p->replace);
	p->replace = NULL;
	p->replace_count = 0;
	p->resync = p->local_repair = false;
	repl_watch_notify(c->watch);
	log_info("peer %s: imported a snapshot (%zu bytes); following its log from here", p->region,
		 p->body.len);
	p->need_snapshot = false;
	p->status.last_contact_ms = wall_ms();
	log_repeat_end(&p->unreachable, repl_monotonic_ms(), "reachable again");
	p->status_dirty = true;
	p->backoff_ms = 0;
	p->next_ms = 0;
}

static void request_done(repl_client_t *c, peer_t *p, CURLcode code)
{
	long status = 0;
	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	if (code != CURLE_OK) {
		if (code == CURLE_WRITE_ERROR && p->body.overflow) {
			repl_stats_inc(c->stats, refused_oversized, 1);
			peer_error(c, p, "refused response: larger than %zu bytes", p->body.limit);
		} else if (code == CURLE_PARTIAL_FILE) {
			repl_stats_inc(c->stats, refused_truncated, 1);
			peer_error(c, p, "refused response: truncated (%s)", p->curl_error);
		} else {
			repl_stats_inc(c->stats, pull_errors, 1);
			peer_error(c, p, "%s",
				   p->curl_error[0] ? p->curl_error : curl_easy_strerror(code));
		}
		return;
	}
	if (response_verify(c, p, status) != 0)
		return;
	if (status == 409 && !p->snapshot) {
		log_info("peer %s: we are behind its retained change log; bootstrapping from its "
			 "snapshot",
			 p->region);
		p->need_snapshot = true;
		p->next_ms = 0;
		return;
	}
	if (status != 200) {
		repl_stats_inc(c->stats, pull_errors, 1);
		peer_error(c, p, "HTTP %ld: %.200s", status, p->body.data ? p->body.data : "");
		return;
	}
	repl_stats_inc(c->stats, bytes_received, p->body.len);
	if (p->snapshot)
		snapshot_import(c, p);
	else
		batch_apply(c, p);
}

static void request_cleanup(repl_client_t *c, peer_t *p)
{
	if (p->easy != NULL) {
		curl_multi_remove_handle(c->multi, p->easy);
		curl_easy_cleanup(p->easy);
		p->easy = NULL;
	}
	curl_slist_free_all(p->headers);
	p->headers = NULL;
	repl_buf_free(&p->request);
	repl_buf_free(&p->body);
}

/* A pull whose answer has not begun in its wait + margin: given up, true. */
static bool answer_overdue(repl_client_t *c, peer_t *p, int64_t now)
{
	int running;
	if (p->margin_ms == 0)
		p->margin_ms = ANSWER_MARGIN_MS;
	if (p->snapshot || p->answering ||
	    now - p->started_ms < (int64_t)p->asked_wait_ms + p->margin_ms)
		return false;
	/* What came while the loop was busy (a long import) counts: read it first. */
	curl_multi_perform(c->multi, &running);
	if (p->answering)
		return false;
	if (p->connected)
		p->margin_ms = p->margin_ms * 2 > ANSWER_MARGIN_MAX_MS ? ANSWER_MARGIN_MAX_MS
								      : p->margin_ms * 2;
	request_cleanup(c, p);
	repl_stats_inc(c->stats, pull_errors, 1);
	peer_error(c, p, "no answer within %" PRId64 " ms (the peer is stopped or the path is cut)",
		   now - p->started_ms);
	return true;
}

/* The peer reached our server: backing off from it, or still connecting, try anew now. */
static void retry_on_contact(repl_client_t *c, peer_t *p, int64_t now)
{
	int64_t heard = repl_stats_heard_get(c->stats, p->region);
	if (heard <= p->heard_ms)
		return;
	p->heard_ms = heard;
	if (p->easy == NULL) {
		if (p->next_ms > now) {
			log_debug("peer %s reached us: retrying it now", p->region);
			p->next_ms = now;
		}
		return;
	}
	if (!p->connected && now - p->started_ms >= RETRY_ON_CONTACT_MIN_MS) {
		log_debug("peer %s reached us while we were still connecting: connecting anew",
			  p->region);
		request_cleanup(c, p);
		p->next_ms = now;
	}
}

int repl_client_run(repl_client_t *c)
{
	char err[256];
	c->st = state_open(c->state_path, c->region, err, sizeof(err));
	if (c->st == NULL) {
		log_error("client: %s", err);
		return -1;
	}
	c->multi = curl_multi_init();
	if (c->multi == NULL) {
		log_error("client: cannot create a curl multi handle");
		state_close(c->st);
		c->st = NULL;
		return -1;
	}
	state_identity_t id;
	if (state_identity_get(c->st, &id) == 0)
		c->confirmed = id.confirmed;
	c->started_ms = repl_monotonic_ms();
	if (c->peer_count == 0)
		atomic_store(&c->stats->own_checked, true);
	/* Keep the error counts across restarts. */
	state_peer_t *known = NULL;
	size_t known_count = 0;
	if (state_peers_list(c->st, &known, &known_count) == 0) {
		for (size_t i = 0; i < c->peer_count; i++)
			for (size_t j = 0; j < known_count; j++)
				if (strcmp(known[j].region, c->peers[i].region) == 0)
					c->peers[i].status.errors = known[j].errors;
		free(known);
	}
	/* And the newest entry received per origin: a restart does not forget it. */
	state_peer_origin_t *progress = NULL;
	size_t progress_count = 0;
	if (state_peer_origins_list(c->st, &progress, &progress_count) == 0) {
		for (size_t i = 0; i < c->peer_count; i++)
			for (size_t j = 0; j < progress_count; j++) {
				if (strcmp(progress[j].peer, c->peers[i].region) != 0)
					continue;
				state_peer_origin_t *r =
				    repl_client_origin_row(&c->peers[i], progress[j].origin);
				if (r != NULL)
					*r = progress[j];
			}
		free(progress);
	}
	while (!atomic_load(&c->stop)) {
		int64_t now = repl_monotonic_ms(), wait = LOOP_MAX_SLEEP_MS;
		int running;
		for (size_t i = 0; i < c->peer_count; i++) {
			peer_t *p = &c->peers[i];
			retry_on_contact(c, p, now);
			if (p->easy != NULL && answer_overdue(c, p, now))
				continue;
			if (p->easy == NULL && now >= p->next_ms)
				request_start(c, p);
			if (p->easy == NULL && p->next_ms - now < wait)
				wait = p->next_ms - now > 0 ? p->next_ms - now : 0;
		}
		curl_multi_perform(c->multi, &running);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			peer_t *p = NULL;
			CURL *easy = m->easy_handle;
			CURLcode code = m->data.result;
			curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&p);
			if (p == NULL)
				continue;
			request_done(c, p, code);
			request_cleanup(c, p);
			wait = 0;
		}
		now = repl_monotonic_ms();
		for (size_t i = 0; i < c->peer_count; i++)
			repl_client_status_flush(c, &c->peers[i], now, false);
		repl_client_digest_verify(c, now);
		if (c->tick != NULL)
			c->tick(c->tick_arg, c->st);
		if (wait > 0)
			curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL);
	}
	for (size_t i = 0; i < c->peer_count; i++) {
		request_cleanup(c, &c->peers[i]);
		repl_client_status_flush(c, &c->peers[i], repl_monotonic_ms(), true);
	}
	curl_multi_cleanup(c->multi);
	c->multi = NULL;
	state_close(c->st);
	c->st = NULL;
	return 0;
}

void repl_client_stop(repl_client_t *c)
{
	atomic_store(&c->stop, true);
	if (c->multi != NULL)
		curl_multi_wakeup(c->multi);
}

void repl_client_set_tick(repl_client_t *c, repl_client_tick_fn fn, void *arg)
{
	c->tick = fn;
	c->tick_arg = arg;
}

repl_client_t *repl_client_new(const conf_t *conf, const repl_key_t *key, repl_watch_t *watch,
			       repl_stats_t *stats, char *err, size_t errlen)
{
	repl_client_t *c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto oom;
	snprintf(c->region, sizeof(c->region), "%s", conf->region);
	c->state_path = strdup(conf->state_path);
	c->tls_ca = conf->replication.tls_ca ? strdup(conf->replication.tls_ca) : NULL;
	if (conf->replication.source_address != NULL &&
	    conf->replication.source_address[0] != '\0') {
		char iface[80];
		snprintf(iface, sizeof(iface), "host!%s", conf->replication.source_address);
		c->source_address = strdup(iface);
		if (c->source_address == NULL)
			goto oom;
	}
	c->jitter_seed = (unsigned)repl_monotonic_ms() ^ (unsigned)(uintptr_t)c;
	c->batch_max = conf->replication.batch_max ? conf->replication.batch_max : 500;
	c->long_poll_ms = conf->replication.long_poll_ms;
	c->warn_every_ms = conf->replication.warn_every_ms ? conf->replication.warn_every_ms : 60000;
	c->digest_check_ms =
	    conf->replication.digest_check_ms ? conf->replication.digest_check_ms : 30000;
	c->skew_ms =
	    conf->replication.max_clock_skew_ms ? conf->replication.max_clock_skew_ms : 30000;
	c->key = key;
	c->watch = watch;
	c->stats = stats;
	c->peers = calloc(conf->replication.peer_count ? conf->replication.peer_count : 1,
			  sizeof(*c->peers));
	if (c->state_path == NULL || c->peers == NULL)
		goto oom;
	for (size_t i = 0; i < conf->replication.peer_count; i++) {
		peer_t *p = &c->peers[c->peer_count++];
		const conf_peer_t *cp = &conf->replication.peers[i];
		snprintf(p->region, sizeof(p->region), "%s", cp->region);
		char subject[96];
		snprintf(subject, sizeof(subject), "peer %s", cp->region);
		log_repeat_init(&p->unreachable, subject);
		if (strlen(cp->url) > STATE_TEXT_MAX - 32) {
			snprintf(err, errlen, "replication.peers.%s: URL longer than %d bytes",
				 cp->region, STATE_TEXT_MAX - 32);
			repl_client_free(c);
			return NULL;
		}
		p->url = strdup(cp->url);
		if (p->url == NULL)
			goto oom;
		size_t l = strlen(p->url);
		while (l > 0 && p->url[l - 1] == '/')
			p->url[--l] = '\0';
		snprintf(p->status.region, sizeof(p->status.region), "%s", cp->region);
		snprintf(p->status.url, sizeof(p->status.url), "%s", cp->url);
		p->status.lag_ms = -1;
		p->status_dirty = true;
	}
	return c;
oom:
	snprintf(err, errlen, "out of memory");
	repl_client_free(c);
	return NULL;
}

void repl_client_free(repl_client_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; c->peers != NULL && i < c->peer_count; i++) {
		free(c->peers[i].url);
		free(c->peers[i].origins);
		log_repeat_destroy(&c->peers[i].unreachable);
		free(c->peers[i].replace);
	}
	free(c->peers);
	free(c->state_path);
	free(c->tls_ca);
	free(c->source_address);
	free(c);
}
