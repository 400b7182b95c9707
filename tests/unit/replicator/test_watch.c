/* SPDX-License-Identifier: MIT */
/* test_watch.c -- commits by another connection wake waiters within the poll interval */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "replicator/repl_watch.h"
#include "state/state.h"

/* A fresh store, a connection that writes to it, and a watch on it. */
typedef struct {
	char path[64];	     /* the store, a temporary file removed at teardown */
	state_t *writer;     /* another connection, standing in for another process */
	repl_watch_t *watch; /* the watch under test */
} fixture_t;

static int setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));
	char err[256];
	snprintf(f->path, sizeof(f->path), "/tmp/meridian-watch-XXXXXX");
	int fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->path);
	f->writer = state_open(f->path, "us-east", err, sizeof(err));
	assert_non_null(f->writer);
	f->watch = repl_watch_start(f->path, 5, err, sizeof(err));
	assert_non_null(f->watch);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	char side[80];
	repl_watch_stop(f->watch);
	state_close(f->writer);
	unlink(f->path);
	snprintf(side, sizeof(side), "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", f->path);
	unlink(side);
	free(f);
	return 0;
}

static void test_wait_times_out_without_change(void **state)
{
	fixture_t *f = *state;
	uint64_t g = repl_watch_generation(f->watch);
	int64_t t0 = repl_monotonic_ms();
	assert_int_equal(repl_watch_wait(f->watch, g, 60), 0);
	assert_true(repl_monotonic_ms() - t0 >= 59);
}

static void test_commit_by_another_connection_wakes_within_50ms(void **state)
{
	fixture_t *f = *state;
	uint64_t g = repl_watch_generation(f->watch);
	assert_int_equal(state_event_append(f->writer, "test", "write", "", "watch", ""), 0);
	/* From the commit on: the watch polls every 5 ms here; 50 ms is the contract. */
	int64_t t0 = repl_monotonic_ms();
	assert_int_equal(repl_watch_wait(f->watch, g, 1000), 1);
	assert_true(repl_monotonic_ms() - t0 < 50);
}

static void test_notify_wakes_at_once(void **state)
{
	fixture_t *f = *state;
	uint64_t g = repl_watch_generation(f->watch);
	repl_watch_notify(f->watch);
	assert_int_equal(repl_watch_wait(f->watch, g, 0), 1);
	assert_true(repl_watch_generation(f->watch) > g);
}

static void test_shutdown_ends_waits(void **state)
{
	fixture_t *f = *state;
	uint64_t g = repl_watch_generation(f->watch);
	repl_watch_shutdown(f->watch);
	assert_int_equal(repl_watch_wait(f->watch, g, 1000), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_wait_times_out_without_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_commit_by_another_connection_wakes_within_50ms,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_notify_wakes_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shutdown_ends_waits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
