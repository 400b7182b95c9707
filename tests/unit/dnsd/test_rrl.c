/* SPDX-License-Identifier: MIT */
/* test_rrl.c -- response rate limiting: buckets per network and class, slip, exempt, log-only */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dnsd/dnsd_rrl.h"

/* A response header with rcode, AA and counts; then the question www.example.com. A. */
static size_t response(uint8_t *r, unsigned rcode, bool aa, unsigned an, unsigned ns)
{
	static const uint8_t question[] = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
					   3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
	memset(r, 0, 12);
	r[2] = (uint8_t)(0x80 | (aa ? 0x04 : 0));
	r[3] = (uint8_t)rcode;
	r[5] = 1;
	r[7] = (uint8_t)an;
	r[9] = (uint8_t)ns;
	memcpy(r + 12, question, sizeof(question));
	memset(r + 12 + sizeof(question), 0xAB, 40); /* records */
	return 12 + sizeof(question) + 40;
}

static dnsd_client_t v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (dnsd_client_t){.family = AF_INET, .addr = {a, b, c, d}};
}

static conf_t rrl_conf(uint32_t rate, uint32_t slip)
{
	conf_t c;
	memset(&c, 0, sizeof(c));
	c.dns.rrl.rate = rate;
	c.dns.rrl.slip = slip;
	c.dns.rrl.ipv4_prefix = 24;
	c.dns.rrl.ipv6_prefix = 56;
	return c;
}

/* How many of n responses at time us are sent (SEND). */
static unsigned sent(dnsd_rrl_t *rrl, const conf_t *c, const dnsd_client_t *who, const uint8_t *r,
		     size_t len, uint64_t us, unsigned n, uint32_t *seq, dnsd_counters_t *k)
{
	unsigned ok = 0;
	for (unsigned i = 0; i < n; i++)
		ok += dnsd_rrl_judge(rrl, c, who, r, len, us, seq, k) == DNSD_RRL_SEND;
	return ok;
}

static void test_rate_per_network_refilled_over_time(void **state)
{
	(void)state;
	dnsd_rrl_t *rrl = dnsd_rrl_new();
	assert_non_null(rrl);
	conf_t c = rrl_conf(10, 0);
	uint8_t r[128];
	size_t len = response(r, 0, true, 1, 0);
	dnsd_client_t a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 200), other = v4(192, 0, 3, 1);
	dnsd_counters_t k = {0};
	uint32_t seq = 0;
	uint64_t t0 = 5000000;
	assert_int_equal(sent(rrl, &c, &a, r, len, t0, 6, &seq, &k), 6);
	/* the same /24: the bucket is shared */
	assert_int_equal(sent(rrl, &c, &b, r, len, t0, 10, &seq, &k), 4);
	/* another /24 has its own */
	assert_int_equal(sent(rrl, &c, &other, r, len, t0, 12, &seq, &k), 10);
	/* 100 ms later: one more (10 per second) */
	assert_int_equal(sent(rrl, &c, &a, r, len, t0 + 100000, 5, &seq, &k), 1);
	/* a second later: a whole second's worth again */
	assert_int_equal(sent(rrl, &c, &a, r, len, t0 + 1200000, 20, &seq, &k), 10);
	assert_int_equal(k.rrl_dropped, 6 + 2 + 4 + 10);
	dnsd_rrl_free(rrl);
}

static void test_classes_have_separate_buckets(void **state)
{
	(void)state;
	dnsd_rrl_t *rrl = dnsd_rrl_new();
	conf_t c = rrl_conf(3, 0);
	uint8_t ans[128], nx[128], err[128], ref[128];
	size_t la = response(ans, 0, true, 1, 0), ln = response(nx, 3, true, 0, 1);
	size_t le = response(err, 5, false, 0, 0), lr = response(ref, 0, false, 0, 2);
	dnsd_client_t a = v4(198, 51, 100, 7);
	dnsd_counters_t k = {0};
	uint32_t seq = 0;
	assert_int_equal(sent(rrl, &c, &a, ans, la, 1000000, 5, &seq, &k), 3);
	assert_int_equal(sent(rrl, &c, &a, nx, ln, 1000000, 5, &seq, &k), 3);
	assert_int_equal(sent(rrl, &c, &a, err, le, 1000000, 5, &seq, &k), 3);
	assert_int_equal(sent(rrl, &c, &a, ref, lr, 1000000, 5, &seq, &k), 3);
	dnsd_rrl_free(rrl);
}

static void test_slip_exempt_and_log_only(void **state)
{
	(void)state;
	dnsd_rrl_t *rrl = dnsd_rrl_new();
	conf_t c = rrl_conf(1, 2);
	uint8_t r[128];
	size_t len = response(r, 0, true, 1, 0);
	dnsd_client_t a = v4(203, 0, 113, 9);
	dnsd_counters_t k = {0};
	uint32_t seq = 0;
	assert_int_equal(dnsd_rrl_judge(rrl, &c, &a, r, len, 1000000, &seq, &k), DNSD_RRL_SEND);
	/* limited ones alternate: dropped, slipped (every 2nd) */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dnsd_rrl_judge(rrl, &c, &a, r, len, 1000000, &seq, &k),
				 DNSD_RRL_DROP);
		assert_int_equal(dnsd_rrl_judge(rrl, &c, &a, r, len, 1000000, &seq, &k),
				 DNSD_RRL_SLIP);
	}
	assert_int_equal(k.rrl_dropped, 3);
	assert_int_equal(k.rrl_slipped, 3);
	/* log only: everything sent, the would-be limited counted */
	c.dns.rrl.log_only = true;
	assert_int_equal(sent(rrl, &c, &a, r, len, 1000000, 4, &seq, &k), 4);
	assert_int_equal(k.rrl_logged, 4);
	/* exempt */
	c.dns.rrl.log_only = false;
	conf_net_t net = {.addr = {.family = AF_INET, .bytes = {203, 0, 112, 0}}, .prefix = 23};
	c.dns.rrl.exempt = &net;
	c.dns.rrl.exempt_count = 1;
	assert_int_equal(sent(rrl, &c, &a, r, len, 1000000, 10, &seq, &k), 10);
	dnsd_rrl_free(rrl);
}

static void test_ipv6_networks_are_prefix_56(void **state)
{
	(void)state;
	dnsd_rrl_t *rrl = dnsd_rrl_new();
	conf_t c = rrl_conf(2, 0);
	uint8_t r[128];
	size_t len = response(r, 0, true, 1, 0);
	dnsd_client_t a = {.family = AF_INET6, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01, [15] = 1}};
	dnsd_client_t same = a, other = a;
	same.addr[7] = 0xFF; /* still inside the /56 */
	other.addr[6] = 1;   /* another /56 */
	dnsd_counters_t k = {0};
	uint32_t seq = 0;
	assert_int_equal(sent(rrl, &c, &a, r, len, 1000000, 1, &seq, &k), 1);
	assert_int_equal(sent(rrl, &c, &same, r, len, 1000000, 3, &seq, &k), 1);
	assert_int_equal(sent(rrl, &c, &other, r, len, 1000000, 3, &seq, &k), 2);
	dnsd_rrl_free(rrl);
}

static void test_truncate_keeps_the_question(void **state)
{
	(void)state;
	uint8_t r[128];
	size_t len = response(r, 0, true, 1, 0);
	size_t cut = dnsd_rrl_truncate(r, len);
	assert_int_equal(cut, 12 + 21);
	assert_true(r[2] & 0x02);
	assert_int_equal(r[5], 1);
	assert_int_equal(r[7] + r[9] + r[11], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rate_per_network_refilled_over_time),
	    cmocka_unit_test(test_classes_have_separate_buckets),
	    cmocka_unit_test(test_slip_exempt_and_log_only),
	    cmocka_unit_test(test_ipv6_networks_are_prefix_56),
	    cmocka_unit_test(test_truncate_keeps_the_question),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
