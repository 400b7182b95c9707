/* SPDX-License-Identifier: MIT */
/* test_probe.c -- every probe type against real loopback origins on one loop */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "healthcheck/hc_loop.h"
#include "healthcheck/hc_probe.h"
#include "hc_test_origin.h"

/* Deadlines and latency bounds in this file are native-speed figures times this scale:
 * MERIDIAN_TEST_TIME_SCALE (1..100, default 1), which qa/valgrind.sh raises because
 * memcheck runs curl and OpenSSL tens of times slower. At scale 1 the bounds are the
 * tight ones the probes promise; a larger scale only stretches every deadline and bound
 * together, so each test still shows the same ordering (a hang is cut at the timeout,
 * not before it and not long after). */
static unsigned time_scale(void)
{
	const char *s = getenv("MERIDIAN_TEST_TIME_SCALE");
	long v = s != NULL ? strtol(s, NULL, 10) : 1;
	return v >= 1 && v <= 100 ? (unsigned)v : 1;
}

/* ms at native speed, stretched by the scale */
#define T(ms) ((ms) * (int64_t)time_scale())

/* check_of()'s probe timeout at native speed: far above what a loopback answer (a TLS
 * handshake included) takes on a loaded machine, so that only a hang reaches it. */
#define PROBE_TIMEOUT_MS 2000

/* How late after its timeout a hung probe may be cut: the loop's slack, which a busy
 * machine stretches. */
#define PROBE_SLACK_MS 3000

/* The reason a probe cut at check_of()'s timeout gives. */
static const char *timeout_reason(void)
{
	static char text[64];
	snprintf(text, sizeof(text), "timeout after %u ms", (unsigned)T(PROBE_TIMEOUT_MS));
	return text;
}

typedef struct {
	bool done;	    /* on_done ran */
	hc_result_t result; /* what it was given */
} outcome_t;

static void on_done(void *arg, const hc_result_t *res)
{
	outcome_t *o = arg;
	o->done = true;
	o->result = *res;
}

static conf_check_t check_of(conf_check_type_t type)
{
	conf_check_t c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.expect[0] = (conf_status_range_t){200, 299};
	c.expect_count = 1;
	c.verify_tls = true;
	c.interval_ms = (uint32_t)T(1000);
	c.timeout_ms = (uint32_t)T(PROBE_TIMEOUT_MS);
	c.connect_timeout_ms = (uint32_t)T(PROBE_TIMEOUT_MS);
	c.fall = 3;
	c.rise = 2;
	c.dns_qtype = 1;
	return c;
}

static void set_address(conf_check_t *c, uint16_t port)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&c->address.addr;
	memset(&c->address, 0, sizeof(c->address));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->address.len = sizeof(*a);
	snprintf(c->address.text, sizeof(c->address.text), "127.0.0.1:%u", port);
}

/* A loopback port nobody listens on: bound and kept bound, never listening, until the
 * test program exits (connections to it are refused, and no other program can take the
 * port between this choice and the probe). */
static uint16_t dead_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	return ntohs(a.sin_port);
}

static hc_result_t run_probe(const conf_check_t *c)
{
	hc_loop_t *loop = hc_loop_new();
	assert_non_null(loop);
	outcome_t out = {0};
	hc_probe_t probe;
	hc_probe_init(&probe, loop, c, on_done, &out);
	assert_int_equal(hc_probe_start(&probe), 0);
	assert_false(out.done); /* results come from the loop, never from start */
	int64_t until = hc_loop_now() + T(30000); /* a deadline: done ends the wait */
	while (!out.done && hc_loop_now() < until)
		assert_int_equal(hc_loop_run_once(loop, 100), 0);
	assert_true(out.done);
	hc_probe_fini(&probe);
	hc_loop_free(loop);
	return out.result;
}

static hc_result_t run_http(hc_test_origin_t *o, const char *path, conf_check_t *c)
{
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", hc_test_origin_port(o), path);
	c->url = url;
	hc_result_t r = run_probe(c);
	c->url = NULL;
	return r;
}

/* ---- http ---- */

static void test_http_expected_status_is_healthy(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	c.body_contains = "ok";
	hc_result_t r = run_http(o, "/healthz", &c);
	assert_true(r.ok);
	assert_string_equal(r.reason, "HTTP 200");
	assert_true(r.latency_ms >= 0 && r.latency_ms < T(PROBE_TIMEOUT_MS));
	hc_test_origin_stop(o);
}

static void test_http_unexpected_status_names_code(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_test_origin_set(o, 503, "busy", false);
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	hc_result_t r = run_http(o, "/", &c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "HTTP 503");
	hc_test_origin_stop(o);
}

static void test_http_status_ranges_are_inclusive(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	c.expect[0] = (conf_status_range_t){204, 204};
	c.expect[1] = (conf_status_range_t){500, 503};
	c.expect_count = 2;
	hc_test_origin_set(o, 503, "", false);
	assert_true(run_http(o, "/", &c).ok);
	hc_test_origin_set(o, 500, "", false);
	assert_true(run_http(o, "/", &c).ok);
	hc_test_origin_set(o, 200, "", false);
	hc_result_t r = run_http(o, "/", &c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "HTTP 200");
	hc_test_origin_stop(o);
}

static void test_http_body_without_string_fails(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_test_origin_set(o, 200, "maintenance\n", false);
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	c.body_contains = "ok";
	hc_result_t r = run_http(o, "/", &c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "body lacks \"ok\"");
	hc_test_origin_stop(o);
}

static void test_http_body_string_only_counts_in_first_5120_bytes(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	char body[7000];
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	memcpy(body + 5118, "ok", 2); /* ends exactly at byte 5120: inside */
	hc_test_origin_set(o, 200, body, false);
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	c.body_contains = "ok";
	assert_true(run_http(o, "/", &c).ok);
	memset(body, 'x', sizeof(body) - 1);
	memcpy(body + 5119, "ok", 2); /* straddles the window: outside */
	hc_test_origin_set(o, 200, body, false);
	hc_result_t r = run_http(o, "/", &c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "body lacks \"ok\"");
	hc_test_origin_stop(o);
}

static void test_http_hang_is_cut_at_timeout(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_test_origin_set(o, 200, "ok", true);
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	hc_result_t r = run_http(o, "/", &c);
	assert_false(r.ok);
	assert_string_equal(r.reason, timeout_reason());
	assert_true(r.latency_ms >= T(PROBE_TIMEOUT_MS) &&
		    r.latency_ms < T(PROBE_TIMEOUT_MS + PROBE_SLACK_MS));
	hc_test_origin_stop(o);
}

static void test_http_dead_port_is_connect_refused(void **state)
{
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", dead_port());
	c.url = url;
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "connect refused");
}

static void test_http_sends_configured_host_header(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	c.host_header = "www.example.com";
	assert_true(run_http(o, "/", &c).ok);
	char host[64];
	hc_test_origin_last_host(o, host, sizeof(host));
	assert_string_equal(host, "www.example.com");
	hc_test_origin_stop(o);
}

static void test_https_to_plain_origin_fails_with_tls_reason(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	conf_check_t c = check_of(CONF_CHECK_HTTPS);
	c.sni = "origin.example.com";
	char url[64];
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", hc_test_origin_port(o));
	c.url = url;
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	/* The request reached our origin (CONNECT_TO kept the address) and TLS failed. */
	assert_true(strncmp(r.reason, "TLS: ", 5) == 0);
	assert_int_equal(hc_test_origin_hits(o), 1);
	hc_test_origin_stop(o);
}

/* ---- tcp ---- */

static void test_tcp_accepting_listener_is_healthy(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	conf_check_t c = check_of(CONF_CHECK_TCP);
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_true(r.ok);
	assert_string_equal(r.reason, "connected");
	hc_test_origin_stop(o);
}

static void test_tcp_dead_port_is_connect_refused(void **state)
{
	conf_check_t c = check_of(CONF_CHECK_TCP);
	set_address(&c, dead_port());
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "connect refused");
}

static void test_tcp_over_ipv6_loopback(void **state)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t al = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		skip(); /* no ::1 here */
	}
	/* A listening socket completes handshakes in its backlog: no accept needed. */
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	conf_check_t c = check_of(CONF_CHECK_TCP);
	memcpy(&c.address.addr, &a, sizeof(a));
	c.address.len = sizeof(a);
	snprintf(c.address.text, sizeof(c.address.text), "[::1]:%u", ntohs(a.sin6_port));
	hc_result_t r = run_probe(&c);
	assert_true(r.ok);
	assert_string_equal(r.reason, "connected");
	close(fd);
}

/* ---- dns ---- */

static void test_dns_expected_rcode_is_healthy(void **state)
{
	hc_test_origin_t *o = hc_test_dns_origin_start();
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_true(r.ok);
	assert_string_equal(r.reason, "rcode NOERROR");
	hc_test_origin_stop(o);
}

static void test_dns_other_rcode_is_named(void **state)
{
	hc_test_origin_t *o = hc_test_dns_origin_start();
	hc_test_origin_set(o, 2, NULL, false);
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "rcode SERVFAIL");
	c.dns_expect_rcode = 3; /* NXDOMAIN expected, SERVFAIL still wrong */
	r = run_probe(&c);
	assert_string_equal(r.reason, "rcode SERVFAIL");
	hc_test_origin_stop(o);
}

static void test_dns_silent_server_times_out(void **state)
{
	hc_test_origin_t *o = hc_test_dns_origin_start();
	hc_test_origin_set(o, 0, NULL, true);
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, timeout_reason());
	assert_int_equal(hc_test_origin_hits(o), 1);
	hc_test_origin_stop(o);
}

static void test_dns_closed_port_is_refused(void **state)
{
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	set_address(&c, dead_port());
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "connect refused");
}

static conf_ipaddr_t ip_of(const char *text)
{
	conf_ipaddr_t a;
	memset(&a, 0, sizeof(a));
	a.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.family, text, a.bytes), 1);
	return a;
}

static void test_dns_expected_answer_is_healthy(void **state)
{
	hc_test_origin_t *o = hc_test_dns_origin_start();
	hc_test_dns_origin_answer(o, "192.0.2.9 2001:db8::1 192.0.2.1");
	conf_ipaddr_t want[2] = {ip_of("192.0.2.1"), ip_of("192.0.2.9")};
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	c.dns_answer = want;
	c.dns_answer_count = 2;
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_true(r.ok);
	assert_string_equal(r.reason, "answer has 192.0.2.1, 192.0.2.9");
	hc_test_origin_stop(o);
}

static void test_dns_answer_without_expected_address_is_named(void **state)
{
	hc_test_origin_t *o = hc_test_dns_origin_start();
	hc_test_dns_origin_answer(o, "192.0.2.9 2001:db8::1");
	conf_ipaddr_t want[1] = {ip_of("192.0.2.1")};
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	c.dns_answer = want;
	c.dns_answer_count = 1;
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "answer lacks 192.0.2.1 (got 192.0.2.9)");
	hc_test_dns_origin_answer(o, "");
	r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "answer lacks 192.0.2.1 (got nothing)");
	hc_test_origin_stop(o);
}

static void test_dns_answer_aaaa(void **state)
{
	hc_test_origin_t *o = hc_test_dns_origin_start();
	hc_test_dns_origin_answer(o, "192.0.2.1 2001:db8::1");
	conf_ipaddr_t want[1] = {ip_of("2001:db8::1")};
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	c.dns_qtype = 28;
	c.dns_answer = want;
	c.dns_answer_count = 1;
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_true(r.ok);
	assert_string_equal(r.reason, "answer has 2001:db8::1");
	hc_test_origin_stop(o);
}

/* The rcode is judged first: a wrong one is named even with an answer configured. */
static void test_dns_answer_check_needs_the_rcode_first(void **state)
{
	hc_test_origin_t *o = hc_test_dns_origin_start();
	hc_test_origin_set(o, 3, NULL, false);
	hc_test_dns_origin_answer(o, "192.0.2.1");
	conf_ipaddr_t want[1] = {ip_of("192.0.2.1")};
	conf_check_t c = check_of(CONF_CHECK_DNS);
	c.dns_qname = "www.example.com.";
	c.dns_answer = want;
	c.dns_answer_count = 1;
	set_address(&c, hc_test_origin_port(o));
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "rcode NXDOMAIN");
	hc_test_origin_stop(o);
}

/* ---- exec ---- */

static void test_exec_exit_zero_is_healthy(void **state)
{
	char *argv[] = {"true", NULL};
	conf_check_t c = check_of(CONF_CHECK_EXEC);
	c.exec_argv = argv;
	hc_result_t r = run_probe(&c);
	assert_true(r.ok);
	assert_string_equal(r.reason, "exit status 0");
}

static void test_exec_exit_status_is_reason(void **state)
{
	char *argv[] = {"sh", "-c", "exit 3", NULL};
	conf_check_t c = check_of(CONF_CHECK_EXEC);
	c.exec_argv = argv;
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "exit status 3");
}

static void test_exec_missing_program_is_127(void **state)
{
	char *argv[] = {"/nonexistent/meridian-probe", NULL};
	conf_check_t c = check_of(CONF_CHECK_EXEC);
	c.exec_argv = argv;
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, "exit status 127 (command not found?)");
}

static bool process_gone(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		hc_probe_reap_orphans();
		if (kill(pid, 0) != 0 && errno == ESRCH)
			return true;
		/* A zombie reparented to init (or to us as subreaper) still answers kill 0. */
		char path[64], stat[256];
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			return true;
		size_t n = fread(stat, 1, sizeof(stat) - 1, f);
		fclose(f);
		stat[n] = '\0';
		char *close_paren = strrchr(stat, ')');
		if (close_paren != NULL && close_paren[1] == ' ' && close_paren[2] == 'Z')
			return true;
		usleep(20000);
	}
	return false;
}

static void test_exec_overrun_kills_process_group(void **state)
{
	char pidfile[] = "/tmp/meridian-hc-test-XXXXXX";
	int fd = mkstemp(pidfile);
	assert_true(fd >= 0);
	close(fd);
	char script[256];
	/* The grandchild would outlive a kill of the shell alone. */
	snprintf(script, sizeof(script), "sleep 30 & echo $$ $! > %s; wait", pidfile);
	char *argv[] = {"sh", "-c", script, NULL};
	conf_check_t c = check_of(CONF_CHECK_EXEC);
	c.exec_argv = argv;
	hc_result_t r = run_probe(&c);
	assert_false(r.ok);
	assert_string_equal(r.reason, timeout_reason());
	FILE *f = fopen(pidfile, "r");
	assert_non_null(f);
	int shell = 0, sleeper = 0;
	assert_int_equal(fscanf(f, "%d %d", &shell, &sleeper), 2);
	fclose(f);
	unlink(pidfile);
	assert_true(process_gone(shell));
	assert_true(process_gone(sleeper));
}

/* ---- many at once ---- */

static void test_many_probes_share_one_loop(void **state)
{
	enum { N = 200 };
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_loop_t *loop = hc_loop_new();
	static conf_check_t checks[N];
	static hc_probe_t probes[N];
	static outcome_t outs[N];
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", hc_test_origin_port(o));
	uint16_t dead = dead_port();
	for (int i = 0; i < N; i++) {
		checks[i] = check_of(i % 2 ? CONF_CHECK_TCP : CONF_CHECK_HTTP);
		checks[i].timeout_ms = (uint32_t)T(2000);
		checks[i].url = url;
		set_address(&checks[i], i % 4 == 1 ? dead : hc_test_origin_port(o));
		memset(&outs[i], 0, sizeof(outs[i]));
		hc_probe_init(&probes[i], loop, &checks[i], on_done, &outs[i]);
		assert_int_equal(hc_probe_start(&probes[i]), 0);
	}
	int64_t until = hc_loop_now() + T(60000); /* a deadline: all done ends the wait */
	int finished = 0;
	while (finished < N && hc_loop_now() < until) {
		assert_int_equal(hc_loop_run_once(loop, 100), 0);
		finished = 0;
		for (int i = 0; i < N; i++)
			finished += outs[i].done;
	}
	assert_int_equal(finished, N);
	for (int i = 0; i < N; i++) {
		if (outs[i].result.ok != (i % 4 != 1))
			print_message("probe %d: %s\n", i, outs[i].result.reason);
		assert_int_equal(outs[i].result.ok, i % 4 != 1);
		hc_probe_fini(&probes[i]);
	}
	assert_int_equal(hc_loop_timer_count(loop), 0);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

static void test_cancel_runs_no_callback(void **state)
{
	hc_test_origin_t *o = hc_test_http_origin_start();
	hc_test_origin_set(o, 200, "ok", true);
	hc_loop_t *loop = hc_loop_new();
	conf_check_t c = check_of(CONF_CHECK_HTTP);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", hc_test_origin_port(o));
	c.url = url;
	outcome_t out = {0};
	hc_probe_t probe;
	hc_probe_init(&probe, loop, &c, on_done, &out);
	assert_int_equal(hc_probe_start(&probe), 0);
	assert_int_equal(hc_probe_start(&probe), -1); /* one run at a time */
	for (int i = 0; i < 3; i++)
		assert_int_equal(hc_loop_run_once(loop, 20), 0);
	hc_probe_cancel(&probe);
	/* past the timeout: it must not report */
	int64_t until = hc_loop_now() + T(PROBE_TIMEOUT_MS + 500);
	while (hc_loop_now() < until)
		assert_int_equal(hc_loop_run_once(loop, 50), 0);
	assert_false(out.done);
	assert_int_equal(hc_loop_timer_count(loop), 0);
	hc_probe_fini(&probe);
	hc_loop_free(loop);
	hc_test_origin_stop(o);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http_expected_status_is_healthy),
	    cmocka_unit_test(test_http_unexpected_status_names_code),
	    cmocka_unit_test(test_http_status_ranges_are_inclusive),
	    cmocka_unit_test(test_http_body_without_string_fails),
	    cmocka_unit_test(test_http_body_string_only_counts_in_first_5120_bytes),
	    cmocka_unit_test(test_http_hang_is_cut_at_timeout),
	    cmocka_unit_test(test_http_dead_port_is_connect_refused),
	    cmocka_unit_test(test_http_sends_configured_host_header),
	    cmocka_unit_test(test_https_to_plain_origin_fails_with_tls_reason),
	    cmocka_unit_test(test_tcp_accepting_listener_is_healthy),
	    cmocka_unit_test(test_tcp_dead_port_is_connect_refused),
	    cmocka_unit_test(test_tcp_over_ipv6_loopback),
	    cmocka_unit_test(test_dns_expected_rcode_is_healthy),
	    cmocka_unit_test(test_dns_other_rcode_is_named),
	    cmocka_unit_test(test_dns_silent_server_times_out),
	    cmocka_unit_test(test_dns_closed_port_is_refused),
	    cmocka_unit_test(test_dns_expected_answer_is_healthy),
	    cmocka_unit_test(test_dns_answer_without_expected_address_is_named),
	    cmocka_unit_test(test_dns_answer_aaaa),
	    cmocka_unit_test(test_dns_answer_check_needs_the_rcode_first),
	    cmocka_unit_test(test_exec_exit_zero_is_healthy),
	    cmocka_unit_test(test_exec_exit_status_is_reason),
	    cmocka_unit_test(test_exec_missing_program_is_127),
	    cmocka_unit_test(test_exec_overrun_kills_process_group),
	    cmocka_unit_test(test_many_probes_share_one_loop),
	    cmocka_unit_test(test_cancel_runs_no_callback),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
