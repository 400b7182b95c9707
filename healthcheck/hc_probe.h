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

/* A probe slot, embedded in its check and reused run after run. Fields past `check` are
 * private to hc_probe*.c. Invariant: `running` is true from hc_probe_start() until the
 * done callback is entered or hc_probe_cancel() returns; while it is false the probe owns
 * no fd, child process, timer or curl transfer. */
typedef struct {
	hc_loop_t *loop;		  /* the loop it runs on */
	const conf_check_t *check;	  /* what to probe; must outlive the run */
	hc_probe_done_fn done;		  /* result callback */
	void *done_arg;			  /* passed to done */
	bool running;			  /* a run is in flight */
	int64_t started_ms;		  /* monotonic ms the run began */
	hc_timer_t deadline;		  /* timeout_ms after started_ms */
	bool start_failed;		  /* the run could not start; deadline fires at once */
	char start_reason[HC_REASON_MAX]; /* why it could not start */

	/* tcp, dns: the socket; exec: the pidfd. -1 when none. */
	int fd;
	/* dns: the query id sent */
	uint16_t dns_id;
	/* dns: after a truncated (TC) UDP answer the run goes on over TCP, RFC 7766 framing
	 * (a 2-byte length before each message), on fd, within the same deadline. */
	bool dns_tcp;	     /* fd is the TCP connection of the retry */
	size_t dns_sent;     /* framed query bytes written so far, 0..2 + query length */
	uint8_t dns_len[2];  /* the answer's length prefix, as read */
	size_t dns_got;	     /* answer bytes read so far, prefix included */
	uint8_t *dns_answer; /* malloc'd once the prefix is read (its length); else NULL */
	/* exec: the child, the leader of its own process group; 0 when none */
	pid_t pid;
	/* exec without pidfd_open (kernels before 5.3, valgrind): waitpid polled on it */
	hc_timer_t exec_poll;
	bool exec_polled; /* exec_poll is initialised (and may be armed) */

	/* http/https: easy handle kept across runs (connection settings reset each run) */
	CURL *easy;
	hc_curl_job_t job;		  /* ties the transfer's end back to this probe */
	struct curl_slist *headers;	  /* Host header, or NULL */
	char *url;			  /* the URL fetched (host swapped for SNI), malloc'd */
	struct curl_slist *connect_to;	  /* CONNECT_TO entry that keeps SNI, or NULL */
	char body[HC_BODY_WINDOW + 1];	  /* first body bytes, NUL-terminated */
	size_t body_len;		  /* bytes in body */
	bool body_full;			  /* window filled: the transfer was cut on purpose */
	char curl_error[CURL_ERROR_SIZE]; /* CURLOPT_ERRORBUFFER */
} hc_probe_t;

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

/* Each type: start returns 0 when the run is under way, or -1 after filling reason with
 * why it could not start; stop releases what the run holds (no callback). */
int hc_probe_http_start(hc_probe_t *probe, char *reason, size_t reasonlen) M_NONNULL_ALL M_WUR;
void hc_probe_http_stop(hc_probe_t *probe) M_NONNULL_ALL;
void hc_probe_http_fini(hc_probe_t *probe) M_NONNULL_ALL;
int hc_probe_tcp_start(hc_probe_t *probe, char *reason, size_t reasonlen) M_NONNULL_ALL M_WUR;
void hc_probe_tcp_stop(hc_probe_t *probe) M_NONNULL_ALL;
int hc_probe_dns_start(hc_probe_t *probe, char *reason, size_t reasonlen) M_NONNULL_ALL M_WUR;
void hc_probe_dns_stop(hc_probe_t *probe) M_NONNULL_ALL;
int hc_probe_exec_start(hc_probe_t *probe, char *reason, size_t reasonlen) M_NONNULL_ALL M_WUR;
void hc_probe_exec_stop(hc_probe_t *probe) M_NONNULL_ALL;

/* Tracks an exec child that was SIGKILLed but not reaped yet (hc_probe_reap_orphans). */
void hc_probe_orphan_add(pid_t pid);

/* "connect refused" for ECONNREFUSED, else "connect failed: <strerror>". */
void hc_probe_connect_reason(int err, char *reason, size_t reasonlen) M_NONNULL_ALL;

#endif
