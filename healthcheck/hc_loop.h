/* SPDX-License-Identifier: MIT */
/* hc_loop.h -- the one event loop of meridian-healthcheck: epoll, timers, curl multi */
#ifndef MERIDIAN_HC_LOOP_H
#define MERIDIAN_HC_LOOP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Concurrency: everything here runs on the one thread that calls hc_loop_run_once();
 * nothing is locked. Handlers must tolerate spurious wake-ups: an fd can be closed and
 * its number reused by another handler within one epoll batch, so an event may reach a
 * handler whose operation is not ready yet (EAGAIN, EINPROGRESS). */
typedef struct hc_loop hc_loop_t;

/* Called when fd is ready; events is the epoll mask (EPOLLIN, EPOLLOUT, EPOLLERR...). */
typedef void (*hc_io_fn)(void *arg, int fd, uint32_t events);
/* Called once when a timer's due time has come. */
typedef void (*hc_timer_fn)(void *arg);
/* Called when a curl easy handle added with hc_loop_curl_add() has finished. */
typedef void (*hc_curl_done_fn)(void *arg, CURL *easy, CURLcode result);

/* A one-shot timer, embedded in its owner; armed at most once at a time. */
typedef struct {
	int64_t due_ms;	   /* monotonic ms when it fires */
	size_t heap_index; /* position in the loop's heap; SIZE_MAX when not armed */
	hc_timer_fn fn;	   /* what to call */
	void *arg;	   /* passed to fn */
} hc_timer_t;

/* Creates a loop (epoll instance, curl multi handle). NULL on failure, with errno. */
hc_loop_t *hc_loop_new(void) M_WUR;
/* Frees the loop; every fd and easy handle must have been removed before. NULL is fine. */
void hc_loop_free(hc_loop_t *loop);

/* Monotonic clock in ms; the loop's notion of now. */
int64_t hc_loop_now(void);

/* Watches fd for events (EPOLLIN / EPOLLOUT); a later call for the same fd replaces
 * the handler and mask. 0, or -1 with errno. */
int hc_loop_io_set(hc_loop_t *loop, int fd, uint32_t events, hc_io_fn fn, void *arg)
    M_NONNULL(1, 4) M_WUR;
/* Stops watching fd (call before closing it). */
void hc_loop_io_del(hc_loop_t *loop, int fd) M_NONNULL(1);

/* Prepares a timer (not armed). */
void hc_timer_init(hc_timer_t *timer, hc_timer_fn fn, void *arg) M_NONNULL(1, 2);
/* Arms (or re-arms) timer to fire at monotonic due_ms. */
void hc_timer_arm(hc_loop_t *loop, hc_timer_t *timer, int64_t due_ms) M_NONNULL_ALL;
/* Disarms timer; harmless when not armed. */
void hc_timer_disarm(hc_loop_t *loop, hc_timer_t *timer) M_NONNULL_ALL;
/* Number of armed timers. */
size_t hc_loop_timer_count(const hc_loop_t *loop) M_NONNULL_ALL M_PURE;

/* What to call when a transfer ends; embedded in its owner, which outlives the transfer. */
typedef struct {
	hc_curl_done_fn done; /* called once, when the transfer finishes */
	void *arg;	      /* passed to done */
} hc_curl_job_t;

/* Adds an easy handle to the loop's multi handle (it takes CURLOPT_PRIVATE); job->done is
 * called once it finishes, or never when it is removed first with hc_loop_curl_remove().
 * 0, or -1 when curl refused it. */
int hc_loop_curl_add(hc_loop_t *loop, CURL *easy, hc_curl_job_t *job) M_NONNULL_ALL M_WUR;
/* Removes an easy handle that has not finished (cancellation). */
void hc_loop_curl_remove(hc_loop_t *loop, CURL *easy) M_NONNULL_ALL;

/* Waits for events or timers for at most max_wait_ms (-1: until something happens) and
 * runs their handlers. 0, or -1 when epoll failed (errno; EINTR is not a failure). */
int hc_loop_run_once(hc_loop_t *loop, int max_wait_ms) M_NONNULL_ALL M_WUR;

#endif
