/* SPDX-License-Identifier: MIT */
/* geo-pick-time.c -- nanoseconds per geo answer choice: trie lookup + geo_pick(), per record */

/*
 * usage: geo-pick-time CONFIG CLIENTS [ROUNDS]
 *
 * For every record of CONFIG, the same CLIENTS (lines "... ADDR/PREFIX", e.g. from
 * bench/geo-vs-gdnsd/geo-queries.py sample) are looked up in the record's compiled trie
 * and answered by geo_pick(), every datacenter serving: the work meridian-dnsd's answer
 * path does to choose an answer, without the packet. Records are timed in turn, round
 * after round (ROUNDS, default 7), so machine drift hits all alike; the median ns per
 * answer of each (thread CPU time, so other work on the machine is not counted), and
 * its ratio to the first record's, are printed: once for lookup +
 * pick, once for geo_pick() alone (the orders looked up beforehand), which is where
 * weights, splits and caps cost anything. The checksum of the chosen datacenters keeps
 * the compiler from dropping the work.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "conf/conf.h"
#include "geo/geo.h"
#include "geo/geo_conf.h"
#include "geo/geo_pick.h"
#include "geo/geo_pick_conf.h"

/* One client network. */
typedef struct {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network order */
	unsigned prefix;  /* ECS source prefix */
} client_t;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: a busy machine does not count */
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s CONFIG CLIENTS [ROUNDS]\n", argv[0]);
		return 2;
	}
	unsigned rounds = argc > 3 ? (unsigned)atoi(argv[3]) : 7;
	char *errors = NULL, err[512], line[256];
	conf_t *conf = conf_load(argv[1], &errors);
	if (conf == NULL || rounds == 0 || rounds > 99) {
		fprintf(stderr, "%s", errors ? errors : "bad arguments\n");
		return 1;
	}
	geo_db_t *db = geo_db_open(conf->geoip_path, err, sizeof(err));
	geo_conf_input_t in;
	geo_pick_tables_t t;
	if (db == NULL || geo_conf_input(conf, &in, err, sizeof(err)) != 0 ||
	    geo_pick_tables_build(conf, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	geo_set_t *set = geo_set_build_threads(db, in.dcs, in.dc_count, in.rules, in.rule_count, 1,
					       err, sizeof(err));
	FILE *f = fopen(argv[2], "r");
	size_t n = 0, cap = 1 << 16;
	client_t *c = malloc(cap * sizeof(*c));
	if (set == NULL || f == NULL || c == NULL) {
		fprintf(stderr, "%s\n", set == NULL ? err : "cannot read clients");
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL && n < cap) {
		char *text = strrchr(line, ' ');
		text = text != NULL ? text + 1 : line;
		char *slash = strchr(text, '/');
		conf_ipaddr_t ip;
		if (slash == NULL)
			continue;
		*slash = '\0';
		if (conf_ipaddr_parse(text, &ip) != 0)
			continue;
		c[n].family = ip.family;
		memcpy(c[n].addr, ip.bytes, 16);
		c[n++].prefix = (unsigned)atoi(slash + 1);
	}
	fclose(f);
	for (size_t i = 0; i < t.dc_count; i++)
		t.dcs[i].serving = true;

	size_t nrec = t.record_count;
	double *ns = calloc(nrec * rounds, sizeof(double));
	double *pick_ns = calloc(nrec * rounds, sizeof(double));
	const geo_list_t **lists = calloc(n * nrec, sizeof(*lists));
	unsigned *scopes = calloc(n * nrec, sizeof(*scopes));
	unsigned long sum = 0;
	if (ns == NULL || pick_ns == NULL || lists == NULL || scopes == NULL)
		return 1;
	for (size_t rec = 0; rec < nrec; rec++)
		for (size_t i = 0; i < n; i++)
			if (geo_trie_lookup(geo_set_trie(set, rec), c[i].family, c[i].addr, c[i].prefix,
					    &lists[rec * n + i], &scopes[rec * n + i]) < 0)
				lists[rec * n + i] = NULL;
	for (unsigned r = 0; r < rounds; r++)
		for (size_t rec = 0; rec < nrec; rec++) {
			const geo_trie_t *trie = geo_set_trie(set, rec);
			double t0 = now_ns();
			for (size_t i = 0; i < n; i++) {
				const geo_list_t *list;
				unsigned scope;
				if (geo_trie_lookup(trie, c[i].family, c[i].addr, c[i].prefix, &list,
						    &scope) < 0)
					continue;
				geo_pick_query_t q = {.order = list->dc,
						      .count = list->count,
						      .family = AF_INET,
						      .client_family = c[i].family,
						      .client = c[i].addr,
						      .source_prefix = c[i].prefix,
						      .scope = scope};
				geo_pick_result_t res;
				geo_pick(&t.records[rec], t.dcs, t.dc_count, &q, &res);
				sum += (unsigned long)res.dc + res.addr_count + res.scope;
			}
			ns[rec * rounds + r] = (now_ns() - t0) / (double)n;
			t0 = now_ns();
			for (size_t i = 0; i < n; i++) {
				const geo_list_t *list = lists[rec * n + i];
				if (list == NULL)
					continue;
				geo_pick_query_t q = {.order = list->dc,
						      .count = list->count,
						      .family = AF_INET,
						      .client_family = c[i].family,
						      .client = c[i].addr,
						      .source_prefix = c[i].prefix,
						      .scope = scopes[rec * n + i]};
				geo_pick_result_t res;
				geo_pick(&t.records[rec], t.dcs, t.dc_count, &q, &res);
				sum += (unsigned long)res.dc + res.addr_count + res.scope;
			}
			pick_ns[rec * rounds + r] = (now_ns() - t0) / (double)n;
		}
	printf("%zu clients, %u rounds, median ns per answer\n", n, rounds);
	printf("%-24s %12s %7s %12s %7s\n", "record", "lookup+pick", "ratio", "pick alone",
	       "ratio");
	double base = 0, pbase = 0;
	for (size_t rec = 0; rec < nrec; rec++) {
		qsort(ns + rec * rounds, rounds, sizeof(double), cmp_double);
		qsort(pick_ns + rec * rounds, rounds, sizeof(double), cmp_double);
		double med = ns[rec * rounds + rounds / 2];
		double pmed = pick_ns[rec * rounds + rounds / 2];
		if (rec == 0) {
			base = med;
			pbase = pmed;
		}
		printf("%-24s %9.1f ns %6.3fx %9.1f ns %6.3fx\n", conf->records[rec].name, med,
		       med / base, pmed, pmed / pbase);
	}
	free(pick_ns);
	free(lists);
	free(scopes);
	printf("checksum %lu\n", sum);
	free(ns);
	free(c);
	geo_set_free(set);
	geo_pick_tables_free(&t);
	geo_conf_input_free(&in);
	geo_db_free(db);
	conf_free(conf);
	return 0;
}
