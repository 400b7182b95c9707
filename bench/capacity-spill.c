/* SPDX-License-Identifier: MIT */
/* capacity-spill.c -- the load each datacenter takes before and after one fails, by geo_pick() */

/*
 * usage: capacity-spill CONFIG RECORD CLIENTS FAIL-DC [FACTOR]
 *
 * CLIENTS: lines "... ADDR/PREFIX" (the last field; bench/geo-vs-gdnsd/geo-queries.py
 * sample writes them), one client network each, one unit of load each. The record's
 * compiled trie orders every client, and geo_pick() answers it, exactly as meridian-dnsd
 * does (the same library calls). Printed, per datacenter:
 *   before    every datacenter serving
 *   nearest   FAIL-DC not serving, capacities ignored: all its clients to the next one
 *   spill     FAIL-DC not serving, capacity-aware spill, every datacenter's live load
 *             the "before" column (what a load check reports)
 * Capacities: FACTOR (default 1.6) times each datacenter's "before" load when the config
 * declares none; else the config's. The last lines say whether any survivor is over its
 * capacity in each column and whether the total capacity sufficed.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "geo/geo.h"
#include "geo/geo_conf.h"
#include "geo/geo_pick.h"
#include "geo/geo_pick_conf.h"

/* One client network of the population. */
typedef struct {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network order, zero past prefix */
	unsigned prefix;  /* source prefix */
} client_t;

/* Reads CLIENTS; returns the count (*out malloc'd), or -1. */
static long clients_read(const char *path, client_t **out)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t n = 0, cap = 1024;
	client_t *c = malloc(cap * sizeof(*c));

	if (f == NULL || c == NULL) {
		perror(path);
		free(c);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *last = strrchr(line, ' ');
		char *text = last != NULL ? last + 1 : line;
		text[strcspn(text, "\r\n")] = '\0';
		char *slash = strchr(text, '/');
		if (slash == NULL)
			continue;
		*slash = '\0';
		conf_ipaddr_t ip;
		if (conf_ipaddr_parse(text, &ip) != 0)
			continue;
		if (n == cap) {
			client_t *more = realloc(c, 2 * cap * sizeof(*c));
			if (more == NULL)
				break;
			c = more;
			cap *= 2;
		}
		c[n].family = ip.family;
		memcpy(c[n].addr, ip.bytes, 16);
		c[n].prefix = (unsigned)atoi(slash + 1);
		n++;
	}
	fclose(f);
	*out = c;
	return (long)n;
}

/* Answers every client with the tables' datacenters as they are; counts A answers by
 * datacenter into load[]. Returns the answers that reported capacity_short. */
static long run(const geo_trie_t *trie, const geo_pick_tables_t *t, size_t record,
		const client_t *c, long n, long *load)
{
	long short_count = 0;

	memset(load, 0, t->dc_count * sizeof(*load));
	for (long i = 0; i < n; i++) {
		const geo_list_t *list;
		unsigned scope;
		if (geo_trie_lookup(trie, c[i].family, c[i].addr, c[i].prefix, &list, &scope) < 0)
			continue;
		geo_pick_query_t q = {.order = list->dc,
				      .count = list->count,
				      .family = AF_INET,
				      .client_family = c[i].family,
				      .client = c[i].addr,
				      .source_prefix = c[i].prefix,
				      .scope = scope};
		geo_pick_result_t r;
		geo_pick(&t->records[record], t->dcs, t->dc_count, &q, &r);
		if (r.dc >= 0)
			load[r.dc]++;
		short_count += (r.reasons & GEO_PICK_CAPACITY_SHORT) != 0;
	}
	return short_count;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s CONFIG RECORD CLIENTS FAIL-DC [FACTOR]\n", argv[0]);
		return 2;
	}
	double factor = argc > 5 ? atof(argv[5]) : 1.6;
	char *errors = NULL, err[512];
	conf_t *conf = conf_load(argv[1], &errors);
	if (conf == NULL) {
		fprintf(stderr, "%s", errors ? errors : "config failed\n");
		return 1;
	}
	int record = conf_record_find(conf, argv[2]);
	int fail = conf_datacenter_find(conf, argv[4]);
	if (record < 0 || fail < 0) {
		fprintf(stderr, "unknown record or datacenter\n");
		return 2;
	}
	geo_db_t *db = geo_db_open(conf->geoip_path, err, sizeof(err));
	geo_conf_input_t in;
	geo_pick_tables_t t;
	if (db == NULL || geo_conf_input(conf, &in, err, sizeof(err)) != 0 ||
	    geo_pick_tables_build(conf, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	geo_trie_t *trie = geo_trie_build(db, in.dcs, in.dc_count, &in.rules[record], err,
					  sizeof(err));
	client_t *c = NULL;
	long n = clients_read(argv[3], &c);
	if (trie == NULL || n <= 0) {
		fprintf(stderr, "%s\n", trie == NULL ? err : "no clients");
		return 1;
	}
	size_t ndc = t.dc_count;
	long *before = calloc(ndc, sizeof(long)), *nearest = calloc(ndc, sizeof(long)),
	     *spill = calloc(ndc, sizeof(long));
	uint32_t *capacity = calloc(ndc, sizeof(uint32_t));
	if (!before || !nearest || !spill || !capacity)
		return 1;

	for (size_t i = 0; i < ndc; i++) {
		t.dcs[i].serving = true;
		t.dcs[i].capacity = 0;
	}
	run(trie, &t, (size_t)record, c, n, before);
	for (size_t i = 0; i < ndc; i++)
		capacity[i] = conf->datacenters[i].capacity
				  ? conf->datacenters[i].capacity
				  : (uint32_t)ceil(factor * (double)before[i]);
	t.dcs[fail].serving = false;
	run(trie, &t, (size_t)record, c, n, nearest);
	for (size_t i = 0; i < ndc; i++) {
		t.dcs[i].capacity = capacity[i];
		t.dcs[i].load = (uint32_t)before[i];
		t.dcs[i].has_load = true;
	}
	long short_answers = run(trie, &t, (size_t)record, c, n, spill);

	printf("%ld client networks, record %s, %s not serving; capacity %s\n", n, argv[2],
	       argv[4], argc > 5 || !conf->datacenters[0].capacity ? "FACTOR x before" : "config");
	printf("%-14s %9s %9s %9s %6s %9s %6s\n", "datacenter", "capacity", "before", "nearest",
	       "use", "spill", "use");
	int over_nearest = 0, over_spill = 0;
	for (size_t i = 0; i < ndc; i++) {
		double un = capacity[i] ? 100.0 * (double)nearest[i] / capacity[i] : 0;
		double us = capacity[i] ? 100.0 * (double)spill[i] / capacity[i] : 0;
		printf("%-14s %9u %9ld %9ld %5.0f%% %9ld %5.0f%%\n", conf->datacenters[i].name,
		       capacity[i], before[i], nearest[i], un, spill[i], us);
		if (i == (size_t)fail)
			continue;
		over_nearest += nearest[i] > (long)capacity[i];
		over_spill += spill[i] > (long)capacity[i];
	}
	uint64_t spare = 0;
	for (size_t i = 0; i < ndc; i++)
		if (i != (size_t)fail && capacity[i] > before[i])
			spare += capacity[i] - (uint64_t)before[i];
	printf("demand of %s: %ld; spare capacity of the others: %llu (%s)\n", argv[4],
	       before[fail], (unsigned long long)spare,
	       spare >= (uint64_t)before[fail] ? "suffices" : "falls short");
	printf("survivors over capacity: nearest %d, spill %d; capacity_short answers %ld\n",
	       over_nearest, over_spill, short_answers);
	free(before);
	free(nearest);
	free(spill);
	free(capacity);
	free(c);
	geo_trie_free(trie);
	geo_pick_tables_free(&t);
	geo_conf_input_free(&in);
	geo_db_free(db);
	conf_free(conf);
	return 0;
}
