/* SPDX-License-Identifier: MIT */
/* hc_load.c -- live load reads of the datacenters that declare one, on the probe loop */
#include "config.h"
#include "healthcheck/hc_load.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "healthcheck/hc_load_parse.h"

/* One datacenter's reader. Invariant: `running` is true from the transfer's start until
 * its done callback; while it is true the timer is not armed, and the reverse. */
typedef struct {
	hc_loads_t *set;		  /* the set it belongs to */
	const conf_datacenter_t *dc;	  /* the datacenter (its name) */
	const conf_load_t *load;	  /* where and how to read */
	CURL *easy;			  /* kept across reads */
	hc_curl_job_t job;		  /* ties the transfer's end back here */
	hc_timer_t timer;		  /* next read */
	bool running;			  /* a transfer is in flight */
	char *body;			  /* the page so far (malloc'd, grows to HC_LOAD_BODY_MAX) */
	size_t body_len;		  /* bytes in body */
	size_t body_cap;		  /* bytes allocated */
	bool body_over;			  /* the page passed HC_LOAD_BODY_MAX: cut */
	char curl_error[CURL_ERROR_SIZE]; /* CURLOPT_ERRORBUFFER */
	bool published;			  /* last holds a published reading */
	state_load_t last;		  /* the last reading published */
	int64_t last_mono_ms;		  /* monotonic ms of that publication */
	uint64_t reads_ok;		  /* reads that gave a number */
	uint64_t reads_failed;		  /* reads that did not */
	double value;			  /* the last number read (valid when reads_ok) */
	bool value_ok;			  /* the last read gave a number */
} reader_t;

struct hc_loads {
	hc_loop_t *loop;	    /* the probe loop */
	hc_load_publish_fn publish; /* where readings go */
	void *publish_arg;	    /* passed to publish */
	reader_t *readers;	    /* one per datacenter with `load` */
	size_t count;		    /* entries in readers */
};

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	reader_t *r = userdata;
	size_t n = size * nmemb;

	if (r->body_len + n + 1 > HC_LOAD_BODY_MAX) {
		r->body_over = true;
		return 0;
	}
	if (r->body_len + n + 1 > r->body_cap) {
		size_t cap = r->body_cap ? r->body_cap : 4096;
		char *grown;

		while (cap < r->body_len + n + 1)
			cap *= 2;
		grown = realloc(r->body, cap);
		if (grown == NULL)
			return 0;
		r->body = grown;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, ptr, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

/* Keeps only printable ASCII of a remote text (curl errors quote the server). */
static void detail_set(state_load_t *l, const char *text)
{
	size_t i = 0;

	for (; text[i] != '\0' && i < sizeof(l->detail) - 1; i++)
		l->detail[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	l->detail[i] = '\0';
}

/* Is this reading news: first, ok changed, moved past min_change, or heartbeat due? */
static bool worth_publishing(const reader_t *r, const state_load_t *l, int64_t now_mono)
{
	if (!r->published || r->last.ok != l->ok)
		return true;
	if (now_mono - r->last_mono_ms >= (int64_t)r->load->heartbeat_ms)
		return true;
	if (!l->ok)
		return strcmp(r->last.detail, l->detail) != 0;
	double before = (double)r->last.value_milli, now = (double)l->value_milli;
	double limit = fabs(before) * r->load->min_change / 100.0;

	return fabs(now - before) > limit || (before == 0) != (now == 0);
}

static void reader_finish(reader_t *r, bool ok, double value, const char *why)
{
	int64_t now_mono = clock_mono_ms();
	state_load_t l;

	memset(&l, 0, sizeof(l));
	snprintf(l.datacenter, sizeof(l.datacenter), "%s", r->dc->name);
	if (ok)
		r->reads_ok++;
	else
		r->reads_failed++;
	r->value_ok = ok;
	if (ok)
		r->value = value;
	l.ok = ok;
	l.measured_ms = clock_wall_ms();
	if (ok)
		l.value_milli = value * 1000.0 > 9.0e15 ? (int64_t)9.0e15 : llround(value * 1000.0);
	else
		detail_set(&l, why);
	if (worth_publishing(r, &l, now_mono)) {
		if (!ok && (!r->published || r->last.ok))
			log_warn("load of %s: %s", r->dc->name, l.detail);
		if (r->set->publish(r->set->publish_arg, &l) == 0) {
			r->last = l;
			r->last_mono_ms = now_mono;
			r->published = true;
		}
	}
	r->running = false;
	hc_timer_arm(r->set->loop, &r->timer, now_mono + r->load->interval_ms);
}

static void reader_done(void *arg, CURL *easy, CURLcode result)
{
	reader_t *r = arg;
	char why[STATE_TEXT_MAX];
	double value = 0;
	long status = 0;

	(void)easy;
	if (!r->running)
		return;
	if (r->body_over) {
		reader_finish(r, false, 0, "page larger than 1 MiB");
		return;
	}
	if (result != CURLE_OK) {
		reader_finish(r, false, 0,
			      r->curl_error[0] ? r->curl_error : curl_easy_strerror(result));
		return;
	}
	(void)curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(why, sizeof(why), "HTTP %ld", status);
		reader_finish(r, false, 0, why);
		return;
	}
	const char *body = r->body ? r->body : "";
	int rc = r->load->json_path != NULL
		     ? hc_load_parse_json(body, r->body_len, r->load->json_path, &value, why,
					  sizeof(why))
		     : hc_load_parse_metric(body, r->body_len, r->load->metric, &value, why,
					    sizeof(why));
	reader_finish(r, rc == 0, value, why);
}

static void reader_start(void *arg)
{
	reader_t *r = arg;
	const conf_load_t *load = r->load;

	if (r->easy == NULL)
		r->easy = curl_easy_init();
	else
		curl_easy_reset(r->easy);
	if (r->easy == NULL) {
		reader_finish(r, false, 0, "curl_easy_init failed");
		return;
	}
	r->body_len = 0;
	r->body_over = false;
	r->curl_error[0] = '\0';
	curl_easy_setopt(r->easy, CURLOPT_URL, load->url);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "meridian-healthcheck/" PACKAGE_VERSION);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->curl_error);
	curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)load->timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	r->job.done = reader_done;
	r->job.arg = r;
	r->running = true;
	if (hc_loop_curl_add(r->set->loop, r->easy, &r->job) != 0)
		reader_finish(r, false, 0, "curl refused the transfer");
}

hc_loads_t *hc_loads_new(hc_loop_t *loop, const conf_t *conf, hc_load_publish_fn publish,
			 void *publish_arg)
{
	hc_loads_t *set = calloc(1, sizeof(*set));
	size_t n = 0;

	if (set == NULL)
		return NULL;
	for (size_t i = 0; i < conf->datacenter_count; i++)
		n += conf->datacenters[i].load_count > 0;
	set->readers = calloc(n ? n : 1, sizeof(*set->readers));
	if (set->readers == NULL) {
		free(set);
		return NULL;
	}
	set->loop = loop;
	set->publish = publish;
	set->publish_arg = publish_arg;
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		reader_t *r;

		if (conf->datacenters[i].load_count == 0)
			continue;
		r = &set->readers[set->count++];
		r->set = set;
		r->dc = &conf->datacenters[i];
		r->load = &conf->datacenters[i].load[0];
		hc_timer_init(&r->timer, reader_start, r);
	}
	return set;
}

void hc_loads_start(hc_loads_t *loads)
{
	for (size_t i = 0; i < loads->count; i++)
		hc_timer_arm(loads->loop, &loads->readers[i].timer, clock_mono_ms());
}

void hc_loads_free(hc_loads_t *loads)
{
	if (loads == NULL)
		return;
	for (size_t i = 0; i < loads->count; i++) {
		reader_t *r = &loads->readers[i];

		hc_timer_disarm(loads->loop, &r->timer);
		if (r->easy != NULL) {
			if (r->running)
				hc_loop_curl_remove(loads->loop, r->easy);
			curl_easy_cleanup(r->easy);
		}
		free(r->body);
	}
	free(loads->readers);
	free(loads);
}

size_t hc_loads_count(const hc_loads_t *loads)
{
	return loads->count;
}

void hc_loads_metrics(const hc_loads_t *loads, metrics_page_t *p)
{
	metrics_family(p, "meridian_healthcheck_load_reads_total", METRICS_COUNTER,
		       "Live load reads (datacenters.NAME.load), by datacenter and result.");
	for (size_t i = 0; i < loads->count; i++) {
		const reader_t *r = &loads->readers[i];

		metrics_u64(p, "meridian_healthcheck_load_reads_total", r->reads_ok, "datacenter",
			    r->dc->name, "result", "ok", NULL);
		metrics_u64(p, "meridian_healthcheck_load_reads_total", r->reads_failed,
			    "datacenter", r->dc->name, "result", "failed", NULL);
	}
	metrics_family(p, "meridian_healthcheck_load", METRICS_GAUGE,
		       "The live load last read, by datacenter (absent while its read fails).");
	for (size_t i = 0; i < loads->count; i++)
		if (loads->readers[i].value_ok)
			metrics_f64(p, "meridian_healthcheck_load", loads->readers[i].value,
				    "datacenter", loads->readers[i].dc->name, NULL);
}
