/* SPDX-License-Identifier: MIT */
/* test_monitor.c -- checks to datacenter observations: rise/fall, restart, reload, heartbeat */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/log.h"
#include "healthcheck/hc_health.h"
#include "healthcheck/hc_loop.h"
#include "healthcheck/hc_monitor.h"
#include "hc_test_origin.h"

/* Timing: the loop shares the machine with everything else (CI runs the suite twice on
 * two cores), so no case counts events inside a fixed window. Each runs the loop until
 * what it is about has happened, with a deadline far above the native time, and where a
 * case shows that something does NOT happen it first waits for a number of probe runs
 * (a counter, not a clock), so a starved loop cannot pass it by doing nothing. Probe
 * timeouts are far above anything loopback needs, so no probe fails by load alone.
 * MERIDIAN_TEST_TIME_SCALE (1..100, default 1; qa/valgrind.sh raises it) stretches every
 * deadline and bound together. */
static unsigned time_scale(void)
{
	const char *s = getenv("MERIDIAN_TEST_TIME_SCALE");
	long v = s != NULL ? strtol(s, NULL, 10) : 1;
	return v >= 1 && v <= 100 ? (unsigned)v : 1;
}

/* ms at native speed, stretched by the scale */
#define T(ms) ((ms) * (int64_t)time_scale())

/* How long a wait may take before the case fails: native times are 100..1000 ms. */
#define WAIT_MS T(10000)

/* stale_after for cases that must see no heartbeat: one every ~15 days. */
#define NO_HEARTBEAT_MS 4000000000u

/* What the monitor wrote, in order. */
typedef struct {
	state_observation_t obs[512]; /* published observations, oldest first */
	size_t count;		      /* entries used in obs; later ones are dropped */
	bool fail_writes;	      /* make publish fail */
} sink_t;

static int sink_put(void *arg, const state_observation_t *obs)
{
	sink_t *s = arg;
	if (s->fail_writes)
		return -1;
	if (s->count < M_ARRAY_LEN(s->obs))
		s->obs[s->count++] = *obs;
	return 0;
}

/* A config with datacenters "dc0".."dcN-1", each with one http check on url (NULL: no
 * checks), fast intervals. */
typedef struct {
	conf_t conf;		  /* points into the arrays below */
	conf_datacenter_t dcs[4]; /* "dc0".."dc3", as many as the test asks for */
	conf_check_t checks[4];	  /* checks[i] is dcs[i]'s only check */
	char urls[4][64];	  /* checks[i].url */
	char names[4][8];	  /* dcs[i].name */
} test_conf_t;

static void conf_build(test_conf_t *t, size_t n, const uint16_t *ports)
{
	memset(t, 0, sizeof(*t));
	t->conf.region = "test-region";
	t->conf.health.stale_after_ms = 30000;
	t->conf.datacenters = t->dcs;
	t->conf.datacenter_count = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(t->names[i], sizeof(t->names[i]), "dc%u", (unsigned)(i % 4));
		t->dcs[i].name = t->names[i];
		if (ports[i] == 0)
			continue;
		conf_check_t *c = &t->checks[i];
		snprintf(t->urls[i], sizeof(t->urls[i]), "http://127.0.0.1:%u/healthz", ports[i]);
		c->type = CONF_CHECK_HTTP;
		c->url = t->urls[i];
		c->expect[0] = (conf_status_range_t){200, 299};
		c->expect_count = 1;
		c->body_contains = "ok";
		c->interval_ms = 100;
		c->fast_interval_ms = 50;
		/* far above a loopback answer even on a loaded machine: no case here is
		 * about timeouts, and a probe cut by load would change the results */
		c->timeout_ms = (uint32_t)T(3000);
		c->connect_timeout_ms = (uint32_t)T(3000);
		c->jitter_ms = 20;
		c->fall = 3;
		c->rise = 2;
		t->dcs[i].checks = c;
		t->dcs[i].check_count = 1;
	}
}

/* Runs the loop until cond holds; fails naming cond after WAIT_MS. */
#define RUN_UNTIL(loop, cond)                                                                      \
	do {                                                                                       \
		int64_t until_ = hc_loop_now() + WAIT_MS;                                          \
		while (!(cond)) {                                                                  \
			if (hc_loop_now() >= until_)                                               \
				fail_msg("still not true after %lld ms: %s", (long long)WAIT_MS,   \
					 #cond);                                                   \
			assert_int_equal(hc_loop_run_once(loop, 10), 0);                           \
		}                                                                                  \
	} while (0)

/* Runs the loop until the sink holds an observation of dc with status, or WAIT_MS pass. */
static const state_observation_t *wait_for(hc_loop_t *loop, sink_t *s, const char *dc,
					   state_health_t status)
{
	int64_t until = hc_loop_now() + WAIT_MS;
	size_t seen = 0;
	for (;;) {
		for (; seen < s->count; seen++)
			if (strcmp(s->obs[seen].datacenter, dc) == 0 &&
			    s->obs[seen].status == status)
				return &s->obs[seen];
		if (hc_loop_now() >= until)
			return NULL;
		assert_int_equal(hc_loop_run_once(loop, 20), 0);
	}
}

static hc_monitor_stats_t stats_of(const hc_monitor_t *mon)
{
	hc_monitor_stats_t st;
	hc_monitor_stats(mon, &st);
	return st;
}

static size_t count_status(const sink_t *s, const char *dc, state_health_t status)
{
	size_t n = 0;
	for (size_t i = 0; i < s->count; i++)
		n += strcmp(s->obs[i].datacenter, dc) == 0 && s->obs[i].status == status;
	return n;
}

static void test_new_datacenter_starts_unknown_then_up(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	assert_non_null(mon);
	hc_monitor_start(mon);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.obs[0].status, STATE_HEALTH_UNKNOWN);
	assert_string_equal(s.obs[0].checker, "test-region");
	const state_observation_t *up = wait_for(loop, &s, "dc0", STATE_HEALTH_UP);
	assert_non_null(up);
	assert_string_equal(up->detail, "HTTP 200");
	assert_true(up->latency_ms >= 0);
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_DOWN), 0);
	hc_monitor_free(mon);
	assert_int_equal(hc_loop_timer_count(loop), 0);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_down_after_fall_failures_with_reason(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_UP));
	uint64_t before = stats_of(mon).failures;
	hc_test_origin_set(o, 503, "down", false);
	const state_observation_t *down = wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN);
	assert_non_null(down);
	assert_string_equal(down->detail, "HTTP 503");
	/* fall is 3: exactly three failing probes led there (DOWN is written by the
	 * third result, and the next run is an interval away) */
	assert_int_equal(stats_of(mon).failures - before, 3);
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_fast_interval_while_change_pending(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	/* interval and fast_interval far apart, so that load cannot blur them: two more
	 * failures take 100 ms at fast_interval and 3000 ms at interval */
	t.checks[0].interval_ms = 1500;
	t.checks[0].fast_interval_ms = 50;
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_UP));
	hc_test_origin_set(o, 503, "", false);
	/* the first failure comes within one interval */
	RUN_UNTIL(loop, stats_of(mon).failures == 1);
	int64_t first = hc_loop_now();
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN));
	int64_t took = hc_loop_now() - first;
	assert_int_equal(stats_of(mon).failures, 3);
	if (took >= T(1000))
		fail_msg("down %lld ms after the first failure; fast_interval not used",
			 (long long)took);
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_restart_keeps_last_known_state_until_probes_decide(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_test_origin_set(o, 200, "not yet", false); /* fails: body lacks "ok" */
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	/* no heartbeat in this case: every DOWN written comes from the probes */
	t.conf.health.stale_after_ms = NO_HEARTBEAT_MS;
	state_observation_t known[2];
	memset(known, 0, sizeof(known));
	strcpy(known[0].checker, "other-region");
	strcpy(known[0].datacenter, "dc0");
	known[0].status = STATE_HEALTH_UP;
	strcpy(known[1].checker, "test-region");
	strcpy(known[1].datacenter, "dc0");
	known[1].status = STATE_HEALTH_DOWN;
	known[1].since_ms = 12345;
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, known, 2, sink_put, &s);
	assert_int_equal(hc_monitor_datacenter_state(mon, "dc0"), STATE_HEALTH_DOWN);
	hc_monitor_start(mon);
	assert_int_equal(s.count, 0); /* no UNKNOWN written over the known state */
	/* fall failures confirm the kept state: written at once (not at a heartbeat),
	 * by the third failing result */
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN));
	assert_int_equal(stats_of(mon).failures, 3);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.obs[0].since_ms, 12345);
	assert_string_equal(s.obs[0].detail, "body lacks \"ok\"");
	/* further failing runs change nothing and write nothing */
	RUN_UNTIL(loop, stats_of(mon).failures >= 6);
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_UNKNOWN), 0);
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_UP), 0);
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_DOWN), 1);
	assert_int_equal(hc_monitor_datacenter_state(mon, "dc0"), STATE_HEALTH_DOWN);
	hc_test_origin_set(o, 200, "ok", false);
	const state_observation_t *up = wait_for(loop, &s, "dc0", STATE_HEALTH_UP);
	assert_non_null(up);
	assert_true(up->since_ms > 12345);
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

/* A restarted checker writes nothing until its probes decide, heartbeats included: a
 * heartbeat of the kept state would make an old observation a fresh vote again. */
static void test_restart_writes_no_heartbeat_before_probes_decide(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_test_origin_set(o, 503, "", false);
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	t.checks[0].fall = 12; /* undecided for a dozen runs: many heartbeat periods */
	t.conf.health.stale_after_ms = 300; /* heartbeat every 100 ms */
	state_observation_t known[1];
	memset(known, 0, sizeof(known));
	strcpy(known[0].checker, "test-region");
	strcpy(known[0].datacenter, "dc0");
	known[0].status = STATE_HEALTH_UP;
	known[0].since_ms = 12345;
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, known, 1, sink_put, &s);
	hc_monitor_start(mon);
	RUN_UNTIL(loop, stats_of(mon).failures >= 8);
	assert_int_equal(s.count, 0); /* no heartbeat of the kept "up" */
	const state_observation_t *down = wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN);
	assert_non_null(down);
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_UP), 0);
	/* once decided, heartbeats go on */
	RUN_UNTIL(loop, count_status(&s, "dc0", STATE_HEALTH_DOWN) >= 3);
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_datacenter_without_checks_gets_no_observations(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	uint16_t ports[] = {0, hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 2, ports);
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_non_null(wait_for(loop, &s, "dc1", STATE_HEALTH_UP));
	for (size_t i = 0; i < s.count; i++)
		assert_string_equal(s.obs[i].datacenter, "dc1");
	assert_int_equal(hc_monitor_datacenter_state(mon, "dc0"), -1);
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_heartbeat_rewrites_state_periodically(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	/* heartbeat every 200 ms, probes every 100 ms: a write per probe would show */
	t.conf.health.stale_after_ms = 600;
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	/* since/checked on the loop's clock, which the heartbeat timers run on */
	hc_monitor_set_clock(mon, hc_loop_now);
	hc_monitor_start(mon);
	const state_observation_t *up = wait_for(loop, &s, "dc0", STATE_HEALTH_UP);
	assert_non_null(up);
	size_t first = (size_t)(up - s.obs);
	uint64_t probes = stats_of(mon).probes;
	RUN_UNTIL(loop, s.count >= first + 5);
	probes = stats_of(mon).probes - probes;
	for (size_t i = first + 1; i < first + 5; i++) {
		assert_int_equal(s.obs[i].status, STATE_HEALTH_UP);
		/* a heartbeat is not a change */
		assert_int_equal(s.obs[i].since_ms, s.obs[first].since_ms);
		/* never sooner than the period (load only delays timers) */
		int64_t gap = s.obs[i].checked_ms - s.obs[i - 1].checked_ms;
		if (gap < 200)
			fail_msg("heartbeat %zu came %lld ms after the write before it", i - first,
				 (long long)gap);
	}
	/* and not later than the period either, measured in probe runs (two per
	 * period), which a loaded loop delays alike: 4 heartbeats, at most 3 runs each */
	if (probes > 12)
		fail_msg("%llu probe runs during 4 heartbeat periods", (unsigned long long)probes);
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_heartbeat_while_recovering_keeps_the_down_reason(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	t.conf.health.stale_after_ms = 300; /* heartbeat every 100 ms */
	t.checks[0].rise = 1000;	    /* successes do not bring it back within the test */
	hc_test_origin_set(o, 503, "", false);
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN));
	hc_test_origin_set(o, 200, "ok", false);
	/* heartbeats written once the latest results are successes */
	hc_monitor_stats_t st = stats_of(mon);
	uint64_t ok = st.probes - st.failures;
	RUN_UNTIL(loop, (st = stats_of(mon), st.probes - st.failures >= ok + 2));
	size_t before = s.count;
	RUN_UNTIL(loop, s.count >= before + 2);
	assert_int_equal(hc_monitor_datacenter_state(mon, "dc0"), STATE_HEALTH_DOWN);
	for (size_t i = before; i < s.count; i++) {
		assert_int_equal(s.obs[i].status, STATE_HEALTH_DOWN);
		assert_string_equal(s.obs[i].detail, "HTTP 503");
	}
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_failed_write_is_retried(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	uint16_t ports[] = {hc_test_origin_port(o)};
	test_conf_t t;
	conf_build(&t, 1, ports);
	/* no heartbeat: only the retry (every 1 s) can write the state once writes work */
	t.conf.health.stale_after_ms = NO_HEARTBEAT_MS;
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	s.fail_writes = true;
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_int_equal(stats_of(mon).publish_errors, 1); /* the first UNKNOWN */
	RUN_UNTIL(loop, hc_monitor_datacenter_state(mon, "dc0") == STATE_HEALTH_UP);
	assert_true(stats_of(mon).publish_errors >= 2); /* and the transition to UP */
	assert_int_equal(s.count, 0);
	s.fail_writes = false;
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_UP)); /* retried */
	hc_monitor_free(mon);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_reload_keeps_state_of_unchanged_checks(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_test_origin_t *o2 = hc_test_http_origin_start();
	uint16_t ports[] = {hc_test_origin_port(o), hc_test_origin_port(o2)};
	test_conf_t t1, t2;
	conf_build(&t1, 2, ports);
	conf_build(&t2, 2, ports);
	t2.checks[1].interval_ms = 200; /* dc1's check changed */
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t1.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_UP));
	assert_non_null(wait_for(loop, &s, "dc1", STATE_HEALTH_UP));
	hc_monitor_t *next = hc_monitor_new(loop, &t2.conf, mon, NULL, 0, sink_put, &s);
	assert_non_null(next);
	hc_monitor_free(mon);
	size_t before = s.count;
	hc_monitor_start(next);
	assert_int_equal(s.count, before); /* nothing new to announce */
	assert_int_equal(hc_monitor_datacenter_state(next, "dc0"), STATE_HEALTH_UP);
	assert_int_equal(hc_monitor_datacenter_state(next, "dc1"), STATE_HEALTH_UP);
	/* One failure after the reload does not flip either datacenter: the origin
	 * fails until the monitor has seen exactly one failure, then answers again. */
	hc_test_origin_set(o, 500, "", false);
	RUN_UNTIL(loop, stats_of(next).failures == 1);
	hc_test_origin_set(o, 200, "ok", false);
	uint64_t probes = stats_of(next).probes;
	RUN_UNTIL(loop, stats_of(next).probes >= probes + 8); /* ~4 rounds of both */
	assert_int_equal(stats_of(next).failures, 1);
	for (size_t i = before; i < s.count; i++)
		assert_int_not_equal(s.obs[i].status, STATE_HEALTH_DOWN);
	assert_int_equal(hc_monitor_datacenter_state(next, "dc0"), STATE_HEALTH_UP);
	assert_int_equal(hc_monitor_datacenter_state(next, "dc1"), STATE_HEALTH_UP);
	hc_monitor_free(next);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
	hc_test_origin_stop(o2);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_init("test_monitor", LOG_LEVEL_WARN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_datacenter_starts_unknown_then_up),
	    cmocka_unit_test(test_down_after_fall_failures_with_reason),
	    cmocka_unit_test(test_fast_interval_while_change_pending),
	    cmocka_unit_test(test_restart_keeps_last_known_state_until_probes_decide),
	    cmocka_unit_test(test_restart_writes_no_heartbeat_before_probes_decide),
	    cmocka_unit_test(test_datacenter_without_checks_gets_no_observations),
	    cmocka_unit_test(test_heartbeat_rewrites_state_periodically),
	    cmocka_unit_test(test_heartbeat_while_recovering_keeps_the_down_reason),
	    cmocka_unit_test(test_failed_write_is_retried),
	    cmocka_unit_test(test_reload_keeps_state_of_unchanged_checks),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
