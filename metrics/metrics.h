/* SPDX-License-Identifier: MIT */
/* metrics.h -- Prometheus text exposition: a page writer and a /metrics HTTP server */
#ifndef MERIDIAN_METRICS_H
#define MERIDIAN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"

/* One exposition page being written (text format 0.0.4). Grows as needed; an allocation
 * failure is remembered and reported by metrics_page_failed(), so writers need not check
 * each call. */
typedef struct {
	char *text;  /* the page so far, NUL-terminated; NULL before the first write */
	size_t len;  /* bytes in text */
	size_t cap;  /* bytes allocated for text */
	bool failed; /* an allocation failed: the page is incomplete */
} metrics_page_t;

/* Kinds of metric family, as the # TYPE line names them. */
typedef enum {
	METRICS_COUNTER = 0, /* only goes up; name ends in _total */
	METRICS_GAUGE,	     /* goes up and down */
	METRICS_HISTOGRAM,   /* _bucket{le=...}, _sum, _count */
} metrics_type_t;

/* Starts a family: its # HELP and # TYPE lines. */
void metrics_family(metrics_page_t *p, const char *name, metrics_type_t type,
		    const char *help) M_NONNULL_ALL;
/* One sample: name, then label name/value pairs ending with NULL (values are escaped),
 * then nothing else; the value is value. */
void metrics_u64(metrics_page_t *p, const char *name, uint64_t value, ...) M_NONNULL(1, 2);
/* As metrics_u64() with a floating value (seconds, bytes of a ratio...). */
void metrics_f64(metrics_page_t *p, const char *name, double value, ...) M_NONNULL(1, 2);
/* Appends raw text (used by the tests and by histograms' label sets). */
void metrics_raw(metrics_page_t *p, const char *text, size_t len) M_NONNULL_ALL;
/* True when the page is incomplete (out of memory). */
bool metrics_page_failed(const metrics_page_t *p) M_NONNULL_ALL M_PURE;
/* Frees the text; the page can be written again. */
void metrics_page_free(metrics_page_t *p) M_NONNULL_ALL;

/* A fixed-bucket histogram of durations (seconds): the buckets below, cumulative at
 * render. Plain integers: one thread writes it. */
#define METRICS_HISTOGRAM_BUCKETS 12
typedef struct {
	uint64_t bucket[METRICS_HISTOGRAM_BUCKETS]; /* observations <= metrics_buckets[i] */
	uint64_t count;				    /* every observation (the +Inf bucket) */
	double sum;				    /* seconds, the sum of every observation */
} metrics_histogram_t;

/* Upper bounds of the buckets, seconds: 1 ms .. 10 s. */
extern const double metrics_buckets[METRICS_HISTOGRAM_BUCKETS];

/* Adds one observation of seconds. */
void metrics_histogram_observe(metrics_histogram_t *h, double seconds) M_NONNULL_ALL;
/* Writes h's _bucket, _sum and _count samples with one label pair (name=value). */
void metrics_histogram_write(metrics_page_t *p, const char *name, const char *label,
			     const char *label_value, const metrics_histogram_t *h) M_NONNULL_ALL;

/* Fills page with the program's metrics; runs on the thread that runs the server. */
typedef void (*metrics_render_fn)(void *arg, metrics_page_t *page);

/* Concurrency: the server answers on an epoll descriptor that the owner's event loop
 * watches (metrics_server_fd()); metrics_server_run() handles what is ready, on the
 * owner's thread, and calls render there. So render reads the program's state from the
 * thread that owns it, without locks. Nothing else is served: any other path is 404,
 * any method but GET/HEAD is 405. */
typedef struct metrics_server metrics_server_t;

/* Listens on addr (port 0: one the kernel picks) and logs "metrics: serving
 * http://ADDR:PORT/metrics". NULL with err filled when it cannot listen. */
metrics_server_t *metrics_server_start(const conf_sockaddr_t *addr, metrics_render_fn render,
				       void *arg, char *err, size_t errlen) M_NONNULL(1, 2, 4) M_WUR;
/* The descriptor to watch for reading; when it is readable, call metrics_server_run(). */
int metrics_server_fd(const metrics_server_t *s) M_NONNULL_ALL M_PURE;
/* Serves whatever is ready, without blocking. Call it also now and then (each second)
 * so idle connections time out. */
void metrics_server_run(metrics_server_t *s) M_NONNULL_ALL;
/* The port it listens on. */
unsigned metrics_server_port(const metrics_server_t *s) M_NONNULL_ALL M_PURE;
/* Closes every connection and frees; NULL is fine. */
void metrics_server_stop(metrics_server_t *s);

#endif
