/* SPDX-License-Identifier: MIT */
/* dnsd_fuzz.c -- libFuzzer harness: any bytes as a query to dnsd_answer() and the UDP batch path */
#include "config.h"

#include "dnsd/dnsd_cookie.h"
#include "dnsd/dnsd_rrl.h"
#include "qa/fuzz/fuzz_dnsd_ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ready();
	/* cookies on (the COOKIE option echoed with room) when the last byte is odd */
	fuzz_ctx.cookies = size > 0 && (data[size - 1] & 1);
	static uint8_t resp[65535];
	dnsd_counters_t counters = {0};
	dnsd_client_t udp = {.family = AF_INET, .addr = {127, 0, 0, 1}, .tcp = false};
	dnsd_client_t tcp = {.family = AF_INET6, .addr = {[15] = 1}, .tcp = true};
	size_t n = dnsd_answer(&fuzz_ctx, data, size, &udp, resp, 512, &counters);
	if (n > 512)
		abort();
	n = dnsd_answer(&fuzz_ctx, data, size, &udp, resp, 4096, &counters);
	if (n > 4096)
		abort();
	n = dnsd_answer(&fuzz_ctx, data, size, &tcp, resp, sizeof(resp), &counters);
	if (n > sizeof(resp))
		abort();
	/* Differential: the UDP worker's path (prepare, the lookup made ahead, prepared,
	 * which writes common geo answers straight) must give the same bytes and counters. */
	static uint8_t batched[4096];
	uint16_t order[DNSD_GEO_ORDER_MAX];
	dnsd_counters_t c1 = {0}, c2 = {0};
	dnsd_prepared_t p;
	n = dnsd_answer(&fuzz_ctx, data, size, &udp, resp, 4096, &c1);
	if (dnsd_answer_prepare(&fuzz_ctx, data, size, &udp, &p)) {
		p.geo.count = fuzz_lookup(NULL, p.geo.record, p.geo.family, p.geo.addr,
					  p.geo.source_prefix, order, DNSD_GEO_ORDER_MAX, &p.geo.scope);
		p.geo.order = order;
		p.geo.done = true;
	}
	size_t m = dnsd_answer_prepared(&fuzz_ctx, &p, data, &udp, batched, sizeof(batched), &c2);
	if (m != n || memcmp(resp, batched, n) != 0 || memcmp(&c1, &c2, sizeof(c1)) != 0)
		abort();
	/* The server's post-processing of the same answer: cookies, BADCOOKIE, RRL's
	 * judgement and slip. */
	static dnsd_cookie_mac_t *mac;
	static dnsd_rrl_t *rrl;
	static const conf_t rrl_conf = {.dns.rrl = {.rate = 2, .slip = 2, .ipv4_prefix = 24,
						    .ipv6_prefix = 56}};
	if (mac == NULL && ((mac = dnsd_cookie_mac_new()) == NULL || (rrl = dnsd_rrl_new()) == NULL))
		abort();
	dnsd_cookie_keys_t keys = {.has_previous = true};
	memset(keys.current, 0x11, sizeof(keys.current));
	uint32_t seq = 0;
	dnsd_counters_t c3 = {0};
	m = dnsd_answer_prepared(&fuzz_ctx, &p, data, &udp, batched, sizeof(batched), &c3);
	if (m > 0 && p.q.cookie_len != 0 && fuzz_ctx.cookies) {
		if (dnsd_cookie_check(mac, &keys, data, &p.q, &udp, 1700000000) == DNSD_COOKIE_BAD)
			m = dnsd_cookie_badcookie(mac, &keys, &p.q, &udp, 1700000000, 1232, batched, m,
						  sizeof(batched));
		else
			dnsd_cookie_fill(mac, &keys, &p.q, &udp, 1700000000, batched, m);
		if (m > sizeof(batched))
			abort();
	}
	if (m > 0) {
		for (int i = 0; i < 4; i++)
			if (dnsd_rrl_judge(rrl, &rrl_conf, &udp, batched, m, 1000000, &seq, &c3) ==
			    DNSD_RRL_SLIP && dnsd_rrl_truncate(batched, m) > m)
				abort();
	}
	fuzz_ctx.cookies = false;
	return 0;
}
