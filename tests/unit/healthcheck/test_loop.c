/* SPDX-License-Identifier: MIT */
/* test_loop.c -- the event loop's timers and fd dispatch */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include "healthcheck/hc_loop.h"

/* The ids of the timers that fired, in firing order. */
typedef struct {
	int order[64]; /* ids, oldest first */
	int count;     /* entries used in order, 0..64 */
} fired_t;

/* One timer's argument: where to record it and as what. */
typedef struct {
	fired_t *fired; /* shared by every timer of a test */
	int id;		/* what this timer records when it fires */
} tag_t;

static void on_timer(void *arg)
{
	tag_t *t = arg;
	t->fired->order[t->fired->count++] = t->id;
}

static void test_timers_fire_in_due_order(void **state)
{
	hc_loop_t *loop = hc_loop_new();
	fired_t fired = {0};
	enum { N = 40 };
	hc_timer_t timers[N];
	tag_t tags[N];
	int64_t now = hc_loop_now();
	for (int i = 0; i < N; i++) {
		tags[i] = (tag_t){&fired, i};
		hc_timer_init(&timers[i], on_timer, &tags[i]);
		/* due times shuffled: 37*i mod N is a permutation */
		hc_timer_arm(loop, &timers[i], now + (37 * i) % N);
	}
	/* disarming one in the middle keeps the heap consistent */
	hc_timer_disarm(loop, &timers[5]);
	while (hc_loop_timer_count(loop) > 0)
		assert_int_equal(hc_loop_run_once(loop, 100), 0);
	assert_int_equal(fired.count, N - 1);
	for (int i = 1; i < fired.count; i++) {
		int a = fired.order[i - 1], b = fired.order[i];
		assert_true((37 * a) % N <= (37 * b) % N);
		assert_int_not_equal(b, 5);
	}
	hc_loop_free(loop);
}

static void test_rearm_moves_timer(void **state)
{
	hc_loop_t *loop = hc_loop_new();
	fired_t fired = {0};
	tag_t tag = {&fired, 7};
	hc_timer_t t;
	hc_timer_init(&t, on_timer, &tag);
	hc_timer_arm(loop, &t, hc_loop_now() + 10000);
	hc_timer_arm(loop, &t, hc_loop_now());
	assert_int_equal(hc_loop_timer_count(loop), 1);
	assert_int_equal(hc_loop_run_once(loop, 1000), 0);
	assert_int_equal(fired.count, 1);
	assert_int_equal(hc_loop_timer_count(loop), 0);
	hc_loop_free(loop);
}

static void test_wait_is_bounded_by_next_timer(void **state)
{
	hc_loop_t *loop = hc_loop_new();
	fired_t fired = {0};
	tag_t tag = {&fired, 1};
	hc_timer_t t;
	hc_timer_init(&t, on_timer, &tag);
	int64_t start = hc_loop_now();
	hc_timer_arm(loop, &t, start + 50);
	while (fired.count == 0)
		assert_int_equal(hc_loop_run_once(loop, 5000), 0);
	int64_t took = hc_loop_now() - start;
	assert_true(took >= 50 && took < 1000);
	hc_loop_free(loop);
}

static int io_hits;
static void on_io(void *arg, int fd, uint32_t events)
{
	char b[8];
	io_hits++;
	assert_int_equal(read(fd, b, sizeof(b)), 1);
	assert_true(events & EPOLLIN);
}

static void test_io_handler_runs_and_can_be_removed(void **state)
{
	hc_loop_t *loop = hc_loop_new();
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(hc_loop_io_set(loop, p[0], EPOLLIN, on_io, NULL), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(hc_loop_run_once(loop, 1000), 0);
	assert_int_equal(io_hits, 1);
	hc_loop_io_del(loop, p[0]);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(hc_loop_run_once(loop, 50), 0);
	assert_int_equal(io_hits, 1);
	close(p[0]);
	close(p[1]);
	hc_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers_fire_in_due_order),
	    cmocka_unit_test(test_rearm_moves_timer),
	    cmocka_unit_test(test_wait_is_bounded_by_next_timer),
	    cmocka_unit_test(test_io_handler_runs_and_can_be_removed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
