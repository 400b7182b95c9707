/* SPDX-License-Identifier: MIT */
/* hc_probe.h -- one run of one check: start it, get one result back through the loop */
#ifndef MERIDIAN_HC_PROBE_H
#define MERIDIAN_HC_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "healthcheck/hc_loop.h"

#define HC_REASON_MAX 160   /* a result's reason, with NUL */
#define HC_BODY_WINDOW 5120 /* body bytes searched for body_contains */

/* What one probe found. */
typedef struct {
	bool ok;		    /* healthy */
	int32_t latency_ms;	    /* start to result, >= 0 */
	char reason[HC_REASON_MAX]; /* "HTTP 503", "connect refused", "timeout after 500 ms" */
} hc_result_t;

/* Called exactly once per started probe, from the loop, unless the probe was cancelled. */
typedef void (*hc_probe_done_fn)(void *arg, const hc_result_t *result);

typedef struct hc_probe hc_probe_t;
typedef struct hc_probe_ops hc_probe_ops_t;

/* A probe slot, embedded in its check and reused run after run. Fields past `check` are
 * private to hc_probe*.c; what one probe type needs (a socket, a child, a curl handle and
 * its 5 KiB body window) is that type's state, allocated at the slot's first run, so a
 * slot carries no other type's fields. Invariant: `running` is true from hc_probe_start()
 * until the done callback is entered or hc_probe_cancel() returns; while it is false the
 * probe owns no fd, child process, timer or curl transfer (an http state keeps its idle
 * easy handle). */
struct hc_probe {
	hc_loop_t *loop;		  /* the loop it runs on */
	const conf_check_t *check;	  /* what to probe; must outlive the run */
	hc_probe_done_fn done;		  /* result callback */
	void *done_arg;			  /* passed to done */
	bool running;			  /* a run is in flight */
	int64_t started_ms;		  /* monotonic ms the run began */
	hc_timer_t deadline;		  /* timeout_ms after started_ms */
	bool start_failed;		  /* the run could not start; deadline fires at once */
	char start_reason[HC_REASON_MAX]; /* why it could not start */
	const hc_probe_ops_t *ops;	  /* the check type's operations; NULL: unknown type */
	void *state;			  /* ops->state_size bytes, the type's own; NULL before a run */
};

/* Prepares a probe slot for check (not started). */
void hc_probe_init(hc_probe_t *probe, hc_loop_t *loop, const conf_check_t *check,
		   hc_probe_done_fn done, void *done_arg) M_NONNULL(1, 2, 3, 4);
/* Starts one run. A run that cannot even start (socket, fork failure) still reports
 * through done, from the loop, never from inside this call. 0, or -1 when a run is
 * already in flight. */
int hc_probe_start(hc_probe_t *probe) M_NONNULL_ALL M_WUR;
/* Abandons the run in flight, if any (no callback); kills an exec child. */
void hc_probe_cancel(hc_probe_t *probe) M_NONNULL_ALL;
/* Cancels and frees everything the slot holds. */
void hc_probe_fini(hc_probe_t *probe) M_NONNULL_ALL;

/* Reaps exec children killed on timeout that had not exited yet; call now and then. */
void hc_probe_reap_orphans(void);

/* ---- used by the probe types (hc_probe_<type>.c) ---- */

/* Ends the run with a result: releases what the type holds, then calls done. */
void hc_probe_finish(hc_probe_t *probe, bool ok, const char *fmt, ...) M_NONNULL(1, 3)
    M_PRINTF(3, 4);

/* A probe type: its operations and the size of its own state (hc_probe_t.state). start
 * returns 0 when the run is under way, or -1 after filling reason with why it could not
 * start; stop releases what the run holds (no callback). */
struct hc_probe_ops {
	const char *name;	/* "http", "tcp", "dns", "exec", for messages */
	size_t state_size;	/* bytes of state, zeroed, then given to init */
	void (*init)(hc_probe_t *probe); /* fills a fresh state (fds to -1); NULL: zeroes do */
	int (*start)(hc_probe_t *probe, char *reason, size_t reasonlen); /* one run begins */
	void (*stop)(hc_probe_t *probe); /* the run's fds, child, timer or transfer released */
	void (*fini)(hc_probe_t *probe); /* frees what the state keeps between runs; NULL: none */
	/* The deadline's reason; NULL: "timeout after N ms". */
	void (*timeout_reason)(const hc_probe_t *probe, char *reason, size_t reasonlen);
};

extern const hc_probe_ops_t hc_probe_http_ops; /* http and https (hc_probe_http.c) */
extern const hc_probe_ops_t hc_probe_tcp_ops;  /* hc_probe_tcp.c */
extern const hc_probe_ops_t hc_probe_dns_ops;  /* hc_probe_dns.c */
extern const hc_probe_ops_t hc_probe_exec_ops; /* hc_probe_exec.c */

/* Tracks an exec child that was SIGKILLed but not reaped yet (hc_probe_reap_orphans). */
void hc_probe_orphan_add(pid_t pid);

/* "connect refused" for ECONNREFUSED, else "connect failed: <strerror>". */
void hc_probe_connect_reason(int err, char *reason, size_t reasonlen) M_NONNULL_ALL;

#endif
