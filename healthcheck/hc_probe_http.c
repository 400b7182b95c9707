/* SPDX-License-Identifier: MIT */
/* hc_probe_http.c -- http and https probes through libcurl on the loop's multi handle */
#include "config.h"
#include "healthcheck/hc_probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An http/https probe's own state (hc_probe_t.state): the easy handle is kept across
 * runs (its connection settings reset each run). */
typedef struct {
	CURL *easy;			  /* the transfer, kept across runs; NULL before the first */
	hc_curl_job_t job;		  /* ties the transfer's end back to this probe */
	struct curl_slist *headers;	  /* Host header, or NULL */
	char *url;			  /* the URL fetched (host swapped for SNI), malloc'd */
	struct curl_slist *connect_to;	  /* CONNECT_TO entry that keeps SNI, or NULL */
	char body[HC_BODY_WINDOW + 1];	  /* first body bytes, NUL-terminated */
	size_t body_len;		  /* bytes in body */
	bool body_full;			  /* window filled: the transfer was cut on purpose */
	char curl_error[CURL_ERROR_SIZE]; /* CURLOPT_ERRORBUFFER */
} http_state_t;

static http_state_t *http_of(const hc_probe_t *probe)
{
	return probe->state;
}

/* Keeps the first HC_BODY_WINDOW bytes. Once the window is full and the status line is
 * known there is nothing more to learn: the transfer is cut (body_full tells the result
 * handler that CURLE_WRITE_ERROR was ours). */
static size_t http_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	hc_probe_t *probe = userdata;
	size_t n = size * nmemb;
	size_t room = HC_BODY_WINDOW - http_of(probe)->body_len;
	size_t take = n < room ? n : room;
	memcpy(http_of(probe)->body + http_of(probe)->body_len, ptr, take);
	http_of(probe)->body_len += take;
	http_of(probe)->body[http_of(probe)->body_len] = '\0';
	if (http_of(probe)->body_len == HC_BODY_WINDOW) {
		http_of(probe)->body_full = true;
		return 0;
	}
	return n;
}

static bool status_expected(const conf_check_t *c, long status)
{
	if (c->expect_count == 0)
		return status >= 200 && status <= 299;
	for (size_t i = 0; i < c->expect_count; i++)
		if (status >= c->expect[i].low && status <= c->expect[i].high)
			return true;
	return false;
}

/* Does the body window contain needle? The body may hold NUL bytes, so not strstr. */
static bool body_has(const hc_probe_t *probe, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return true;
	if (n > http_of(probe)->body_len)
		return false;
	for (size_t i = 0; i + n <= http_of(probe)->body_len; i++)
		if (memcmp(http_of(probe)->body + i, needle, n) == 0)
			return true;
	return false;
}

static void http_failed(hc_probe_t *probe, CURLcode result)
{
	const conf_check_t *c = probe->check;
	long oserr = 0;
	(void)curl_easy_getinfo(http_of(probe)->easy, CURLINFO_OS_ERRNO, &oserr);
	char reason[HC_REASON_MAX];
	switch (result) {
	case CURLE_COULDNT_CONNECT:
		if (oserr == 0) {
			hc_probe_finish(probe, false, "connect failed: %s",
					http_of(probe)->curl_error[0] ? http_of(probe)->curl_error : curl_easy_strerror(result));
			return;
		}
		hc_probe_connect_reason((int)oserr, reason, sizeof(reason));
		hc_probe_finish(probe, false, "%s", reason);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		/* curl's own timers are a backstop behind our deadline; report the same way. */
		hc_probe_finish(probe, false, "timeout after %u ms", c->timeout_ms);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		hc_probe_finish(probe, false, "TLS: %s",
				http_of(probe)->curl_error[0] ? http_of(probe)->curl_error
						     : curl_easy_strerror(result));
		return;
	case CURLE_GOT_NOTHING:
		hc_probe_finish(probe, false, "empty reply");
		return;
	default:
		hc_probe_finish(probe, false, "%s",
				http_of(probe)->curl_error[0] ? http_of(probe)->curl_error
						     : curl_easy_strerror(result));
		return;
	}
}

static void http_done(void *arg, CURL *easy, CURLcode result)
{
	hc_probe_t *probe = arg;
	(void)easy;
	if (!probe->running)
		return;
	if (result != CURLE_OK && !(result == CURLE_WRITE_ERROR && http_of(probe)->body_full)) {
		http_failed(probe, result);
		return;
	}
	const conf_check_t *c = probe->check;
	long status = 0;
	(void)curl_easy_getinfo(http_of(probe)->easy, CURLINFO_RESPONSE_CODE, &status);
	if (!status_expected(c, status)) {
		hc_probe_finish(probe, false, "HTTP %ld", status);
		return;
	}
	if (c->body_contains != NULL && !body_has(probe, c->body_contains)) {
		hc_probe_finish(probe, false, "body lacks \"%s\"", c->body_contains);
		return;
	}
	hc_probe_finish(probe, true, "HTTP %ld", status);
}

/* SNI different from the URL's host: fetch https://SNI:PORT/... (curl sends SNI and
 * checks the certificate against the URL's host) and CONNECT_TO the original host, so
 * the packets still go where the URL pointed. The Host header follows the SNI name
 * unless host_header says otherwise. */
static int http_sni_rewrite(hc_probe_t *probe, char *reason, size_t reasonlen)
{
	const conf_check_t *c = probe->check;
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *url = NULL;
	int rc = -1;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, c->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, c->sni, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		snprintf(reason, reasonlen, "cannot apply sni %s to %s", c->sni, c->url);
		goto out;
	}
	char entry[512];
	snprintf(entry, sizeof(entry), "%s:%s:%s:%s", c->sni, port, host, port);
	http_of(probe)->connect_to = curl_slist_append(NULL, entry);
	http_of(probe)->url = strdup(url);
	if (http_of(probe)->connect_to == NULL || http_of(probe)->url == NULL) {
		snprintf(reason, reasonlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}

static void http_release(hc_probe_t *probe)
{
	curl_slist_free_all(http_of(probe)->headers);
	http_of(probe)->headers = NULL;
	curl_slist_free_all(http_of(probe)->connect_to);
	http_of(probe)->connect_to = NULL;
	free(http_of(probe)->url);
	http_of(probe)->url = NULL;
}

static int http_start(hc_probe_t *probe, char *reason, size_t reasonlen)
{
	const conf_check_t *c = probe->check;
	if (http_of(probe)->easy == NULL) {
		http_of(probe)->easy = curl_easy_init();
		if (http_of(probe)->easy == NULL) {
			snprintf(reason, reasonlen, "curl_easy_init failed");
			return -1;
		}
	} else {
		curl_easy_reset(http_of(probe)->easy);
	}
	CURL *e = http_of(probe)->easy;
	http_of(probe)->body_len = 0;
	http_of(probe)->body[0] = '\0';
	http_of(probe)->body_full = false;
	http_of(probe)->curl_error[0] = '\0';
	if (c->type == CONF_CHECK_HTTPS && c->sni != NULL) {
		if (http_sni_rewrite(probe, reason, reasonlen) != 0) {
			http_release(probe);
			return -1;
		}
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, http_of(probe)->connect_to);
	}
	if (c->host_header != NULL) {
		char line[300];
		snprintf(line, sizeof(line), "Host: %s", c->host_header);
		http_of(probe)->headers = curl_slist_append(NULL, line);
		if (http_of(probe)->headers == NULL) {
			snprintf(reason, reasonlen, "out of memory");
			http_release(probe);
			return -1;
		}
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, http_of(probe)->headers);
	}
	curl_easy_setopt(e, CURLOPT_URL, http_of(probe)->url ? http_of(probe)->url : c->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
			 c->type == CONF_CHECK_HTTPS ? "https" : "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "meridian-healthcheck/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, http_of(probe)->curl_error);
	/* Each probe tests a fresh connection: a pooled one would hide a dead listener. */
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(c->connect_timeout_ms ? c->connect_timeout_ms : c->timeout_ms));
	/* Our deadline timer cuts the run at timeout_ms; curl's is a backstop. */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms + 1000L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->verify_tls ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->verify_tls ? 2L : 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, probe);
	http_of(probe)->job.done = http_done;
	http_of(probe)->job.arg = probe;
	if (hc_loop_curl_add(probe->loop, e, &http_of(probe)->job) != 0) {
		snprintf(reason, reasonlen, "curl refused the transfer");
		http_release(probe);
		return -1;
	}
	return 0;
}

static void http_stop(hc_probe_t *probe)
{
	if (http_of(probe)->easy != NULL)
		hc_loop_curl_remove(probe->loop, http_of(probe)->easy);
	http_release(probe);
}

static void http_fini(hc_probe_t *probe)
{
	if (http_of(probe)->easy != NULL) {
		hc_loop_curl_remove(probe->loop, http_of(probe)->easy);
		curl_easy_cleanup(http_of(probe)->easy);
		http_of(probe)->easy = NULL;
	}
	http_release(probe);
}

const hc_probe_ops_t hc_probe_http_ops = {
	.name = "http",
	.state_size = sizeof(http_state_t),
	.start = http_start,
	.stop = http_stop,
	.fini = http_fini,
};
