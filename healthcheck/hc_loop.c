/* SPDX-License-Identifier: MIT */
/* hc_loop.c -- the one event loop of meridian-healthcheck: epoll, timers, curl multi */
#include "config.h"
#include "healthcheck/hc_loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"

/* Who is behind one watched fd. Indexed by fd number: epoll events carry the fd, not a
 * pointer, so an event that arrives after its handler went away finds an empty slot (or
 * the fd's new owner, who tolerates a spurious wake-up) instead of freed memory. */
typedef struct {
	hc_io_fn fn;	 /* NULL: slot free */
	void *arg;	 /* passed to fn */
	uint32_t events; /* mask registered with epoll */
	bool curl;	 /* the fd belongs to curl: events go to curl_multi_socket_action */
} hc_io_slot_t;

struct hc_loop {
	int epfd;	       /* the epoll instance */
	hc_io_slot_t *slots;   /* by fd number */
	size_t slot_count;     /* entries in slots */
	hc_timer_t **heap;     /* min-heap of armed timers by due_ms */
	size_t heap_len;       /* armed timers */
	size_t heap_cap;       /* allocated entries */
	CURLM *multi;	       /* every HTTP(S) probe of the process */
	hc_timer_t curl_timer; /* curl's own timeout (CURLMOPT_TIMERFUNCTION) */
	int curl_running;      /* transfers curl says are still running */
};

int64_t hc_loop_now(void)
{
	return clock_mono_ms();
}

/* ---- timers: a binary min-heap of pointers; each timer knows its index ---- */

static void heap_swap(hc_loop_t *loop, size_t a, size_t b)
{
	hc_timer_t *t = loop->heap[a];
	loop->heap[a] = loop->heap[b];
	loop->heap[b] = t;
	loop->heap[a]->heap_index = a;
	loop->heap[b]->heap_index = b;
}

static void heap_up(hc_loop_t *loop, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (loop->heap[parent]->due_ms <= loop->heap[i]->due_ms)
			break;
		heap_swap(loop, i, parent);
		i = parent;
	}
}

static void heap_down(hc_loop_t *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < loop->heap_len && loop->heap[l]->due_ms < loop->heap[m]->due_ms)
			m = l;
		if (r < loop->heap_len && loop->heap[r]->due_ms < loop->heap[m]->due_ms)
			m = r;
		if (m == i)
			return;
		heap_swap(loop, i, m);
		i = m;
	}
}

void hc_timer_init(hc_timer_t *timer, hc_timer_fn fn, void *arg)
{
	timer->due_ms = 0;
	timer->heap_index = SIZE_MAX;
	timer->fn = fn;
	timer->arg = arg;
}

void hc_timer_disarm(hc_loop_t *loop, hc_timer_t *timer)
{
	size_t i = timer->heap_index;
	if (i == SIZE_MAX)
		return;
	M_ASSERT(i < loop->heap_len && loop->heap[i] == timer); /* armed in this loop */
	timer->heap_index = SIZE_MAX;
	loop->heap_len--;
	if (i == loop->heap_len)
		return;
	loop->heap[i] = loop->heap[loop->heap_len];
	loop->heap[i]->heap_index = i;
	heap_up(loop, i);
	heap_down(loop, loop->heap[i]->heap_index);
}

void hc_timer_arm(hc_loop_t *loop, hc_timer_t *timer, int64_t due_ms)
{
	hc_timer_disarm(loop, timer);
	if (loop->heap_len == loop->heap_cap) {
		size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
		hc_timer_t **heap = realloc(loop->heap, cap * sizeof(hc_timer_t *));
		if (heap == NULL) {
			/* Without room the timer cannot be armed; better to abort loudly than to
			 * let a probe hang forever unnoticed. */
			log_error("out of memory arming a timer");
			abort();
		}
		loop->heap = heap;
		loop->heap_cap = cap;
	}
	timer->due_ms = due_ms;
	timer->heap_index = loop->heap_len;
	loop->heap[loop->heap_len++] = timer;
	heap_up(loop, timer->heap_index);
	M_ASSERT(loop->heap[timer->heap_index] == timer && loop->heap[0]->due_ms <= due_ms);
}

size_t hc_loop_timer_count(const hc_loop_t *loop)
{
	return loop->heap_len;
}

/* ---- fds ---- */

static int slot_reserve(hc_loop_t *loop, int fd)
{
	if (fd < 0)
		return -1;
	if ((size_t)fd < loop->slot_count)
		return 0;
	size_t count = loop->slot_count ? loop->slot_count : 64;
	while (count <= (size_t)fd)
		count *= 2;
	hc_io_slot_t *slots = realloc(loop->slots, count * sizeof(*slots));
	if (slots == NULL)
		return -1;
	memset(slots + loop->slot_count, 0, (count - loop->slot_count) * sizeof(*slots));
	loop->slots = slots;
	loop->slot_count = count;
	return 0;
}

static int io_register(hc_loop_t *loop, int fd, uint32_t events, hc_io_fn fn, void *arg, bool curl)
{
	if (slot_reserve(loop, fd) != 0) {
		errno = ENOMEM;
		return -1;
	}
	hc_io_slot_t *slot = &loop->slots[fd];
	struct epoll_event ev = {.events = events, .data.fd = fd};
	bool known = slot->fn != NULL || slot->curl;
	if (epoll_ctl(loop->epfd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0) {
		/* The fd may have been closed and reopened behind our back (curl does this);
		 * the other operation then is the right one. */
		if (epoll_ctl(loop->epfd, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) != 0)
			return -1;
	}
	slot->fn = fn;
	slot->arg = arg;
	slot->events = events;
	slot->curl = curl;
	return 0;
}

int hc_loop_io_set(hc_loop_t *loop, int fd, uint32_t events, hc_io_fn fn, void *arg)
{
	return io_register(loop, fd, events, fn, arg, false);
}

void hc_loop_io_del(hc_loop_t *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->slot_count)
		return;
	hc_io_slot_t *slot = &loop->slots[fd];
	if (slot->fn == NULL && !slot->curl)
		return;
	/* ENOENT/EBADF: already gone with a close; nothing to undo. */
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(slot, 0, sizeof(*slot));
}

/* ---- curl multi ---- */

static void curl_collect(hc_loop_t *loop)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(loop->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode result = msg->data.result;
		hc_curl_job_t *job = NULL;
		(void)curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&job);
		curl_multi_remove_handle(loop->multi, easy);
		if (job != NULL && job->done != NULL)
			job->done(job->arg, easy, result);
	}
}

static void curl_socket_ready(hc_loop_t *loop, int fd, uint32_t events)
{
	int mask = 0;
	if (events & (EPOLLIN | EPOLLHUP))
		mask |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		mask |= CURL_CSELECT_OUT;
	if (events & EPOLLERR)
		mask |= CURL_CSELECT_ERR;
	curl_multi_socket_action(loop->multi, fd, mask, &loop->curl_running);
	curl_collect(loop);
}

static void curl_timer_fired(void *arg)
{
	hc_loop_t *loop = arg;
	curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0, &loop->curl_running);
	curl_collect(loop);
}

static int curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	hc_loop_t *loop = userp;
	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		hc_loop_io_del(loop, fd);
		return 0;
	}
	uint32_t events = 0;
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (io_register(loop, fd, events, NULL, NULL, true) != 0) {
		log_error("epoll: cannot watch curl socket %d: %s", fd, strerror(errno));
		return -1;
	}
	return 0;
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	hc_loop_t *loop = userp;
	(void)multi;
	if (timeout_ms < 0)
		hc_timer_disarm(loop, &loop->curl_timer);
	else
		hc_timer_arm(loop, &loop->curl_timer, hc_loop_now() + timeout_ms);
	return 0;
}

int hc_loop_curl_add(hc_loop_t *loop, CURL *easy, hc_curl_job_t *job)
{
	curl_easy_setopt(easy, CURLOPT_PRIVATE, job);
	return curl_multi_add_handle(loop->multi, easy) == CURLM_OK ? 0 : -1;
}

void hc_loop_curl_remove(hc_loop_t *loop, CURL *easy)
{
	curl_multi_remove_handle(loop->multi, easy);
}

/* ---- the loop ---- */

hc_loop_t *hc_loop_new(void)
{
	hc_loop_t *loop = calloc(1, sizeof(*loop));
	if (loop == NULL)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->multi = curl_multi_init();
	if (loop->epfd < 0 || loop->multi == NULL) {
		hc_loop_free(loop);
		return NULL;
	}
	hc_timer_init(&loop->curl_timer, curl_timer_fired, loop);
	curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb);
	curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop);
	curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop);
	return loop;
}

void hc_loop_free(hc_loop_t *loop)
{
	if (loop == NULL)
		return;
	if (loop->multi != NULL)
		curl_multi_cleanup(loop->multi);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop->slots);
	free(loop->heap);
	free(loop);
}

static void timers_run(hc_loop_t *loop)
{
	int64_t now = hc_loop_now();
	/* Bounded: a timer re-armed for "now" from its own handler waits for the next
	 * round, so I/O is never starved. */
	size_t budget = loop->heap_len;
	while (budget-- > 0 && loop->heap_len > 0 && loop->heap[0]->due_ms <= now) {
		hc_timer_t *t = loop->heap[0];
		hc_timer_disarm(loop, t);
		t->fn(t->arg);
	}
}

int hc_loop_run_once(hc_loop_t *loop, int max_wait_ms)
{
	int wait = max_wait_ms;
	if (loop->heap_len > 0) {
		int64_t until = loop->heap[0]->due_ms - hc_loop_now();
		if (until < 0)
			until = 0;
		if (wait < 0 || until < wait)
			wait = (int)until;
	}
	struct epoll_event events[256];
	int n = epoll_wait(loop->epfd, events, (int)M_ARRAY_LEN(events), wait);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int fd = events[i].data.fd;
		if ((size_t)fd >= loop->slot_count)
			continue;
		hc_io_slot_t *slot = &loop->slots[fd];
		if (slot->curl)
			curl_socket_ready(loop, fd, events[i].events);
		else if (slot->fn != NULL)
			slot->fn(slot->arg, fd, events[i].events);
	}
	timers_run(loop);
	return 0;
}
