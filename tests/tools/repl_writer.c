/* SPDX-License-Identifier: MIT */
/* repl_writer.c -- test tool: writes a stream of audit events (or one drain) into a state.db */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state/state.h"

/* Usage: repl_writer DB REGION events COUNT [PER_SECOND]
 *        repl_writer DB REGION drain DC REASON
 *        repl_writer DB REGION clear DC
 *        repl_writer DB REGION event REASON
 * Functional tests and bench/repl-lag.sh use it as "another process writing", like
 * meridianctl or healthcheck would. Each event's reason is "n=I" so tests can count. */
static void sleep_until(const struct timespec *start, double seconds)
{
	struct timespec t = *start;
	t.tv_sec += (time_t)seconds;
	t.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) != 0)
		;
}

int main(int argc, char **argv)
{
	char err[512];
	if (argc < 5) {
		fprintf(stderr, "usage: repl_writer DB REGION events COUNT [PER_SECOND] | drain DC "
				"REASON | clear DC | event REASON\n");
		return 2;
	}
	state_t *st = state_open(argv[1], argv[2], err, sizeof(err));
	if (st == NULL) {
		fprintf(stderr, "repl_writer: %s\n", err);
		return 1;
	}
	int rc = 0;
	if (strcmp(argv[3], "events") == 0) {
		long count = atol(argv[4]);
		double rate = argc > 5 ? atof(argv[5]) : 0;
		struct timespec start;
		clock_gettime(CLOCK_MONOTONIC, &start);
		for (long i = 1; i <= count && rc == 0; i++) {
			char reason[32];
			if (rate > 0)
				sleep_until(&start, (double)(i - 1) / rate);
			snprintf(reason, sizeof(reason), "n=%ld", i);
			if (state_event_append(st, "repl_writer", "write", "", reason, "") != 0) {
				fprintf(stderr, "repl_writer: %s\n", state_errmsg(st));
				rc = 1;
			}
		}
	} else if (strcmp(argv[3], "drain") == 0 && argc > 5) {
		state_override_t ov;
		memset(&ov, 0, sizeof(ov));
		snprintf(ov.datacenter, sizeof(ov.datacenter), "%s", argv[4]);
		ov.action = STATE_OVERRIDE_DRAIN;
		snprintf(ov.reason, sizeof(ov.reason), "%s", argv[5]);
		snprintf(ov.actor, sizeof(ov.actor), "repl_writer");
		ov.created_ms = state_now_ms(st);
		if (state_override_put(st, &ov) != 0) {
			fprintf(stderr, "repl_writer: %s\n", state_errmsg(st));
			rc = 1;
		}
	} else if (strcmp(argv[3], "event") == 0) {
		/* One event whose reason is argv[4] byte for byte (tests feed bad UTF-8). */
		if (state_event_append(st, "repl_writer", "write", "", argv[4], "") != 0) {
			fprintf(stderr, "repl_writer: %s\n", state_errmsg(st));
			rc = 1;
		}
	} else if (strcmp(argv[3], "clear") == 0) {
		if (state_override_clear(st, argv[4], "repl_writer", "test") < 0) {
			fprintf(stderr, "repl_writer: %s\n", state_errmsg(st));
			rc = 1;
		}
	} else {
		fprintf(stderr, "repl_writer: unknown command %s\n", argv[3]);
		rc = 2;
	}
	state_close(st);
	return rc;
}
