/* SPDX-License-Identifier: MIT */
/* test_writer.c -- observations queued from the loop thread land in a real state.db */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"
#include "healthcheck/hc_writer.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/meridian-hc-writer-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/state.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static state_observation_t obs_of(const char *dc, state_health_t status, const char *detail,
				  int64_t at)
{
	state_observation_t o;
	memset(&o, 0, sizeof(o));
	snprintf(o.checker, sizeof(o.checker), "test-region");
	snprintf(o.datacenter, sizeof(o.datacenter), "%s", dc);
	o.status = status;
	o.since_ms = at;
	o.checked_ms = at;
	o.latency_ms = 3;
	snprintf(o.detail, sizeof(o.detail), "%s", detail);
	return o;
}

static void test_stop_writes_everything_queued_in_order(void **state)
{
	char err[256];
	state_t *st = state_open(path, "test-region", err, sizeof(err));
	assert_non_null(st);
	hc_writer_t *w = hc_writer_start(st);
	assert_non_null(w);
	/* More than the initial queue holds, so the ring grows while the thread writes. */
	for (int i = 0; i < 300; i++) {
		state_observation_t o =
		    obs_of(i % 2 ? "odd" : "even", i % 3 ? STATE_HEALTH_UP : STATE_HEALTH_DOWN,
			   "HTTP 503", 1000 + i);
		assert_int_equal(hc_writer_put(w, &o), 0);
	}
	state_observation_t last = obs_of("even", STATE_HEALTH_DOWN, "connect refused", 5000);
	assert_int_equal(hc_writer_put(w, &last), 0);
	hc_writer_stop(w);

	st = state_open(path, "test-region", err, sizeof(err));
	assert_non_null(st);
	state_observation_t *rows = NULL;
	size_t count = 0;
	assert_int_equal(state_observations_list(st, &rows, &count), 0);
	assert_int_equal(count, 2);
	for (size_t i = 0; i < count; i++) {
		if (strcmp(rows[i].datacenter, "even") == 0) {
			assert_int_equal(rows[i].status, STATE_HEALTH_DOWN);
			assert_string_equal(rows[i].detail, "connect refused");
			assert_int_equal(rows[i].since_ms, 5000);
		} else {
			assert_int_equal(rows[i].checked_ms, 1299); /* the last odd one */
		}
	}
	free(rows);
	uint64_t seq = 0;
	assert_int_equal(state_cursor_get(st, "test-region", &seq), 0);
	assert_int_equal(seq, 301); /* one change-log entry per write */
	state_close(st);
}

static void test_counts_report_writes(void **state)
{
	char err[256];
	state_t *st = state_open(path, "test-region", err, sizeof(err));
	assert_non_null(st);
	hc_writer_t *w = hc_writer_start(st);
	state_observation_t o = obs_of("east", STATE_HEALTH_UP, "HTTP 200", 1);
	assert_int_equal(hc_writer_put(w, &o), 0);
	uint64_t written = 0, failed = 0;
	size_t queued = 1;
	for (int i = 0; i < 200 && (written == 0 || queued > 0); i++) {
		usleep(10000);
		hc_writer_counts(w, &written, &failed, &queued);
	}
	assert_int_equal(written, 1);
	assert_int_equal(failed, 0);
	assert_int_equal(queued, 0);
	hc_writer_stop(w);
}

int main(void)
{
	log_init("test_writer", LOG_LEVEL_WARN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stop_writes_everything_queued_in_order, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_counts_report_writes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
