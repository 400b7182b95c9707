/* SPDX-License-Identifier: MIT */
/* dnsd_test_fixture.h -- the zones and geo view the answer tests query */
#ifndef MERIDIAN_DNSD_TEST_FIXTURE_H
#define MERIDIAN_DNSD_TEST_FIXTURE_H

#include "tests/unit/dnsd/dnsd_test_util.h"

/* example.com. (static data, wildcards, a delegation, 40 big TXT records at
 * big.example.com.) and example.net.; geo names geo.example.com. (datacenter 0 "us" for
 * addresses below 128.0.0.0 and IPv6, scope 16/32; 1 "eu" above, scope 8) and
 * fixed.example.com. (eu only, does not vary), v6only.example.com. (datacenter 2 "v6",
 * AAAA only) and v6first.example.com. (v6 then eu, does not vary). NSID "ns1.test", identity "us-east". */
extern dnsd_zones_t *t_zones;
extern dnsd_counters_t t_counters;
extern dnsd_geo_dc_t t_dcs[3];
extern dnsd_answer_ctx_t t_ctx;

unsigned t_fake_lookup(const void *lctx, size_t record, int family, const uint8_t *addr,
		       unsigned prefix, uint16_t *order, unsigned cap, unsigned *scope);
int t_fixture_setup(void **state);
int t_fixture_teardown(void **state);

#endif
