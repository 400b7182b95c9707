/* SPDX-License-Identifier: MIT */
/* geo-load-time.c -- time to open a City database and compile geo tries, memory, lookup rate */

/*
 * usage: geo-load-time DB.mmdb [LOOKUPS [THREADS]]
 * Compiles three records over seven datacenters spread over the world (all seven by
 * distance; three with map rules; a copy of the first, which must share its trie), then
 * prints the time to open/decode, the time to compile, trie sizes, peak RSS, and single-
 * thread lookups per second for random IPv4 (/24 source) and IPv6 (/56 source) clients,
 * warm and with the caches dirtied between batches (as under DNS load).
 * It also checks 100000 random clients per trie against the rules applied directly
 * (geo_explain), scope included, and fails if any disagree. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "geo/geo.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const geo_dc_t dcs[] = {
    {"us-east", true, 38.9, -77.4},	 {"us-west", true, 37.4, -122.1},
    {"eu-west", true, 53.3, -6.3},	 {"eu-central", true, 50.1, 8.7},
    {"ap-southeast", true, 1.35, 103.8}, {"ap-northeast", true, 35.7, 139.7},
    {"sa-east", true, -23.5, -46.6},
};

/* Cross-checks trie i of set against geo_explain (the rules applied directly) for n
 * random clients, and that a random address sharing the first `scope` bits gets the same
 * order. Returns the number of disagreements. */
static long verify(const geo_db_t *db, const geo_set_t *set, const geo_rules_t *rules, size_t i,
		   long n)
{
	uint64_t seed = 0x853c49e6748fea9bu;
	long bad = 0;

	for (long k = 0; k < n; k++) {
		uint8_t addr[16], probe[16];
		uint64_t r = next_random(&seed);
		int family = k % 2 ? AF_INET6 : AF_INET;
		unsigned bits = family == AF_INET ? 32 : 128, source = k % 3 ? bits : bits / 4 * 3;
		memcpy(addr, &r, 8);
		r = next_random(&seed);
		memcpy(addr + 8, &r, 8);
		if (family == AF_INET6 && k % 4 == 1)
			addr[0] = (uint8_t)(0x24 + (addr[0] & 7));
		const geo_list_t *list;
		unsigned scope;
		if (geo_trie_lookup(geo_set_trie(set, i), family, addr, source, &list, &scope) < 0)
			return n;
		geo_addr_mask(family, addr, source, probe);
		for (int pass = 0; pass < 2; pass++) {
			geo_choice_t choices[16];
			geo_explain_t ex;
			if (geo_explain(db, dcs, &rules[i], NULL, family, probe, choices, &ex) < 0)
				return n;
			bool same = ex.count == list->count;
			for (size_t c = 0; same && c < ex.count; c++)
				same = choices[c].dc == list->dc[c];
			bad += !same;
			for (unsigned b = scope; b < bits; b++)
				if (next_random(&seed) & 1)
					probe[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	static const size_t all[] = {0, 1, 2, 3, 4, 5, 6};
	static const size_t three[] = {0, 2, 4}, eu[] = {2}, cn[] = {0};
	static const geo_map_rule_t map[] = {{"EU", eu, 1, 0}, {"AS/CN", cn, 1, 0}};
	const geo_rules_t rules[] = {
	    {all, 7, NULL, 0, NULL, 0, NULL, 0},
	    {three, 3, map, 2, NULL, 0, NULL, 0},
	    {all, 7, NULL, 0, NULL, 0, NULL, 0},
	};
	char err[512];
	long lookups = argc > 2 ? atol(argv[2]) : 5000000;
	unsigned threads = argc > 3 ? (unsigned)atoi(argv[3]) : 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DB.mmdb [LOOKUPS [THREADS]]\n", argv[0]);
		return 2;
	}
	double t0 = now_s();
	geo_db_t *db = geo_db_open(argv[1], err, sizeof(err));
	if (!db) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t1 = now_s();
	size_t locs;
	geo_db_locations(db, &locs);
	geo_set_t *set = geo_set_build_threads(db, dcs, M_ARRAY_LEN(dcs), rules, M_ARRAY_LEN(rules),
					       threads, err, sizeof(err));
	if (!set) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t2 = now_s();
	printf("database: %s (%s), %zu networks, %zu distinct records\n", argv[1], geo_db_type(db),
	       geo_db_network_count(db), locs - 1);
	printf(
	    "open+decode: %.0f ms\ncompile %zu records (%zu distinct tries, %u threads): %.0f ms\n",
	    (t1 - t0) * 1e3, M_ARRAY_LEN(rules), geo_set_distinct(set), threads, (t2 - t1) * 1e3);
	for (size_t i = 0; i < 2; i++) {
		geo_trie_stats_t st;
		geo_trie_stats(geo_set_trie(set, i), &st);
		printf("trie %zu: %zu nodes, %zu lists, %.1f MB\n", i, st.nodes, st.lists,
		       (double)st.bytes / 1e6);
	}
	printf("start to first answer: %.0f ms\npeak RSS: %.1f MB\n", (t2 - t0) * 1e3,
	       peak_rss_kb() / 1024.0);
	for (size_t i = 0; i < 2; i++) {
		long bad = verify(db, set, rules, i, 100000);
		printf("trie %zu: 100000 random clients checked against the rules: %ld disagree\n",
		       i, bad);
		if (bad)
			return 1;
	}
	geo_db_free(db); /* tries do not need it */

	const geo_trie_t *t = geo_set_trie(set, 0);
	uint64_t seed = 88172645463325252u, sink = 0;
	for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
		double s = now_s();
		for (long i = 0; i < lookups; i++) {
			uint8_t addr[16];
			uint64_t r = next_random(&seed);
			memcpy(addr, &r, 8);
			if (family == AF_INET6) /* mostly inside the synthetic IPv6 range */
				addr[0] = (uint8_t)(0x24 + (addr[0] & 7));
			const geo_list_t *list;
			unsigned scope;
			if (geo_trie_lookup(t, family, addr, family == AF_INET ? 24 : 56, &list,
					    &scope) == 0)
				sink += list->dc[0] + scope;
		}
		double e = now_s() - s;
		printf("%s lookups: %.1f M/s (%.0f ns each)\n",
		       family == AF_INET ? "IPv4 /24" : "IPv6 /56", (double)lookups / e / 1e6,
		       e / (double)lookups * 1e9);
	}
	/* As a DNS server sees it: the kernel's networking evicts the trie from the caches
	 * between two batches of queries, so each lookup's reads are misses. 4 MB written
	 * between batches of 32 lookups; only the lookups are timed. Each address depends
	 * on the previous answer, so the reads of one lookup cannot overlap the next's. */
	size_t dirty_len = (size_t)4 << 20;
	uint8_t *dirty = malloc(dirty_len);
	long cold = lookups / 50;
	for (int family = AF_INET; dirty && family <= AF_INET6; family += AF_INET6 - AF_INET) {
		double spent = 0;
		uint64_t dep = 0;
		for (long i = 0; i < cold; i += 32) {
			memset(dirty, (int)i, dirty_len);
			double s = now_s();
			for (long k = 0; k < 32; k++) {
				uint8_t addr[16];
				uint64_t r = next_random(&seed) ^ dep;
				memcpy(addr, &r, 8);
				if (family == AF_INET6)
					addr[0] = (uint8_t)(0x24 + (addr[0] & 7));
				const geo_list_t *list;
				unsigned scope;
				if (geo_trie_lookup(t, family, addr, family == AF_INET ? 24 : 56,
						    &list, &scope) == 0)
					dep = scope & 1;
			}
			spent += now_s() - s;
			sink += dirty[i % dirty_len] + dep;
		}
		printf("%s lookups, caches dirtied, one after another: %.0f ns each\n",
		       family == AF_INET ? "IPv4 /24" : "IPv6 /56",
		       spent / (double)(cold / 32 * 32) * 1e9);
	}
	/* The same, 32 queries per batch through geo_trie_lookup_batch (as a server could do
	 * with one recvmmsg batch). */
	for (int family = AF_INET; dirty && family <= AF_INET6; family += AF_INET6 - AF_INET) {
		double spent = 0;
		geo_trie_query_t q[32];
		uint8_t addrs[32][16];
		for (long i = 0; i < cold; i += 32) {
			memset(dirty, (int)i, dirty_len);
			for (int k = 0; k < 32; k++) {
				uint64_t r = next_random(&seed);
				memset(addrs[k], 0, 16);
				memcpy(addrs[k], &r, 8);
				if (family == AF_INET6)
					addrs[k][0] = (uint8_t)(0x24 + (addrs[k][0] & 7));
				memset(&q[k], 0, sizeof(q[k]));
				q[k].family = family;
				q[k].addr = addrs[k];
				q[k].source_prefix = family == AF_INET ? 24 : 56;
			}
			double s = now_s();
			geo_trie_lookup_batch(t, q, 32);
			spent += now_s() - s;
			for (int k = 0; k < 32; k++)
				sink += q[k].scope;
			sink += dirty[i % dirty_len];
		}
		printf("%s lookups, caches dirtied, batches of 32: %.0f ns each\n",
		       family == AF_INET ? "IPv4 /24" : "IPv6 /56",
		       spent / (double)(cold / 32 * 32) * 1e9);
	}
	free(dirty);
	geo_set_free(set);
	return sink == 42 ? 3 : 0;
}
