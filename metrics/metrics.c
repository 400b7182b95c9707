/* SPDX-License-Identifier: MIT */
/* metrics.c -- writing a Prometheus text exposition page: families, samples, histograms */
#include "config.h"

#include "metrics/metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double metrics_buckets[METRICS_HISTOGRAM_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

static bool reserve(metrics_page_t *p, size_t more)
{
	if (p->failed)
		return false;
	if (p->len + more + 1 <= p->cap)
		return true;
	size_t cap = p->cap ? p->cap : 4096;
	while (cap < p->len + more + 1)
		cap *= 2;
	char *text = realloc(p->text, cap);
	if (text == NULL) {
		p->failed = true;
		return false;
	}
	p->text = text;
	p->cap = cap;
	return true;
}

void metrics_raw(metrics_page_t *p, const char *text, size_t len)
{
	if (!reserve(p, len))
		return;
	memcpy(p->text + p->len, text, len);
	p->len += len;
	p->text[p->len] = '\0';
}

static void put(metrics_page_t *p, const char *text)
{
	metrics_raw(p, text, strlen(text));
}

static void putf(metrics_page_t *p, const char *fmt, ...) M_PRINTF(2, 3);
static void putf(metrics_page_t *p, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		metrics_raw(p, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void metrics_family(metrics_page_t *p, const char *name, metrics_type_t type, const char *help)
{
	static const char *const types[] = {"counter", "gauge", "histogram"};
	put(p, "# HELP ");
	put(p, name);
	put(p, " ");
	put(p, help); /* our own text: no backslash or newline in it */
	put(p, "\n# TYPE ");
	put(p, name);
	put(p, " ");
	put(p, types[type]);
	put(p, "\n");
}

/* A label value as the format wants it: backslash, double quote and newline escaped.
 * Values come from the config (datacenter, record, region names) and are short. */
static void label_value(metrics_page_t *p, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			put(p, "\\\\");
		else if (*v == '"')
			put(p, "\\\"");
		else if (*v == '\n')
			put(p, "\\n");
		else
			metrics_raw(p, v, 1);
	}
}

static void labels(metrics_page_t *p, va_list ap)
{
	const char *sep = "{";
	const char *name;
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		put(p, sep);
		put(p, name);
		put(p, "=\"");
		label_value(p, value != NULL ? value : "");
		put(p, "\"");
		sep = ",";
	}
	if (sep[0] == ',')
		put(p, "}");
}

void metrics_u64(metrics_page_t *p, const char *name, uint64_t value, ...)
{
	va_list ap;
	va_start(ap, value);
	put(p, name);
	labels(p, ap);
	va_end(ap);
	putf(p, " %" PRIu64 "\n", value);
}

void metrics_f64(metrics_page_t *p, const char *name, double value, ...)
{
	va_list ap;
	va_start(ap, value);
	put(p, name);
	labels(p, ap);
	va_end(ap);
	putf(p, " %.15g\n", value);
}

bool metrics_page_failed(const metrics_page_t *p)
{
	return p->failed;
}

void metrics_page_free(metrics_page_t *p)
{
	free(p->text);
	*p = (metrics_page_t){0};
}

void metrics_histogram_observe(metrics_histogram_t *h, double seconds)
{
	for (size_t i = 0; i < METRICS_HISTOGRAM_BUCKETS; i++)
		if (seconds <= metrics_buckets[i]) {
			h->bucket[i]++;
			break;
		}
	h->count++;
	h->sum += seconds;
}

void metrics_histogram_write(metrics_page_t *p, const char *name, const char *label,
			     const char *label_value_, const metrics_histogram_t *h)
{
	char bucket[160], sum[160], count[160], le[32];
	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	snprintf(sum, sizeof(sum), "%s_sum", name);
	snprintf(count, sizeof(count), "%s_count", name);
	uint64_t cumulative = 0;
	for (size_t i = 0; i < METRICS_HISTOGRAM_BUCKETS; i++) {
		cumulative += h->bucket[i];
		snprintf(le, sizeof(le), "%g", metrics_buckets[i]);
		metrics_u64(p, bucket, cumulative, label, label_value_, "le", le, NULL);
	}
	metrics_u64(p, bucket, h->count, label, label_value_, "le", "+Inf", NULL);
	metrics_f64(p, sum, h->sum, label, label_value_, NULL);
	metrics_u64(p, count, h->count, label, label_value_, NULL);
}
