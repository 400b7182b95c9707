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
 * checks), fast timings. */
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
		c->timeout_ms = 80;
		c->connect_timeout_ms = 80;
		c->jitter_ms = 20;
		c->fall = 3;
		c->rise = 2;
		t->dcs[i].checks = c;
		t->dcs[i].check_count = 1;
	}
}

/* Runs the loop until the sink holds an observation of dc with status, or 5 s pass. */
static const state_observation_t *wait_for(hc_loop_t *loop, sink_t *s, const char *dc,
					   state_health_t status)
{
	int64_t until = hc_loop_now() + 5000;
	size_t seen = 0;
	while (hc_loop_now() < until) {
		for (; seen < s->count; seen++)
			if (strcmp(s->obs[seen].datacenter, dc) == 0 &&
			    s->obs[seen].status == status)
				return &s->obs[seen];
		assert_int_equal(hc_loop_run_once(loop, 20), 0);
	}
	return NULL;
}

static void run_for(hc_loop_t *loop, int ms)
{
	int64_t until = hc_loop_now() + ms;
	while (hc_loop_now() < until)
		assert_int_equal(hc_loop_run_once(loop, 10), 0);
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
	unsigned before = hc_test_origin_hits(o);
	hc_test_origin_set(o, 503, "down", false);
	const state_observation_t *down = wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN);
	assert_non_null(down);
	assert_string_equal(down->detail, "HTTP 503");
	/* fall is 3: exactly three failing probes (at fast_interval) led there */
	unsigned probes = hc_test_origin_hits(o) - before;
	assert_true(probes >= 3 && probes <= 4);
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
	t.checks[0].interval_ms = 400;
	t.checks[0].fast_interval_ms = 50;
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_UP));
	run_for(loop, 450); /* settle into the 400 ms rhythm */
	unsigned hits = hc_test_origin_hits(o);
	hc_test_origin_set(o, 503, "", false);
	/* the first failure comes within one interval */
	int64_t until = hc_loop_now() + 1000;
	while (hc_test_origin_hits(o) == hits && hc_loop_now() < until)
		assert_int_equal(hc_loop_run_once(loop, 10), 0);
	int64_t first = hc_loop_now();
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN));
	int64_t took = hc_loop_now() - first;
	/* two more failures at fast_interval (50 ms), not at interval (400 ms) */
	if (took > 300)
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
	run_for(loop, 400);
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_UNKNOWN), 0);
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_UP), 0);
	assert_int_equal(hc_monitor_datacenter_state(mon, "dc0"), STATE_HEALTH_DOWN);
	/* fall failures confirmed the kept state: written at once, since unchanged */
	assert_int_equal(count_status(&s, "dc0", STATE_HEALTH_DOWN), 1);
	assert_int_equal(s.obs[0].since_ms, 12345);
	assert_string_equal(s.obs[0].detail, "body lacks \"ok\"");
	hc_test_origin_set(o, 200, "ok", false);
	const state_observation_t *up = wait_for(loop, &s, "dc0", STATE_HEALTH_UP);
	assert_non_null(up);
	assert_true(up->since_ms > 12345);
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
	t.conf.health.stale_after_ms = 300; /* heartbeat every 100 ms */
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	const state_observation_t *up = wait_for(loop, &s, "dc0", STATE_HEALTH_UP);
	assert_non_null(up);
	int64_t since = up->since_ms;
	size_t ups = count_status(&s, "dc0", STATE_HEALTH_UP);
	run_for(loop, 450);
	size_t more = count_status(&s, "dc0", STATE_HEALTH_UP) - ups;
	assert_true(more >= 3 && more <= 6);
	assert_int_equal(s.obs[s.count - 1].since_ms, since); /* a heartbeat is not a change */
	assert_true(s.obs[s.count - 1].checked_ms >= since);
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
	t.conf.health.stale_after_ms = 300;
	t.checks[0].rise = 100; /* successes do not bring it back within the test */
	hc_test_origin_set(o, 503, "", false);
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_DOWN));
	hc_test_origin_set(o, 200, "ok", false);
	size_t before = s.count;
	run_for(loop, 400);
	assert_true(s.count > before); /* heartbeats were written */
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
	hc_loop_t *loop = hc_loop_new();
	static sink_t s;
	memset(&s, 0, sizeof(s));
	s.fail_writes = true;
	hc_monitor_t *mon = hc_monitor_new(loop, &t.conf, NULL, NULL, 0, sink_put, &s);
	hc_monitor_start(mon);
	run_for(loop, 300);
	hc_monitor_stats_t st;
	hc_monitor_stats(mon, &st);
	assert_true(st.publish_errors >= 2); /* the first UNKNOWN and the transition to UP */
	s.fail_writes = false;
	assert_non_null(wait_for(loop, &s, "dc0", STATE_HEALTH_UP)); /* retry within ~1 s */
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
	/* One failure after the reload does not flip either datacenter. */
	hc_test_origin_set(o, 500, "", false);
	run_for(loop, 120);
	hc_test_origin_set(o, 200, "ok", false);
	run_for(loop, 300);
	for (size_t i = before; i < s.count; i++)
		assert_int_not_equal(s.obs[i].status, STATE_HEALTH_DOWN);
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
