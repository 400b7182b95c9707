/* SPDX-License-Identifier: MIT */
/* dnsd_geodb.c -- the geo database part of a snapshot: direct or compiled lookups */
#include "config.h"
#include "dnsd/dnsd_geodb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo/geo.h"
#include "geo/geo_conf.h"

/* One database file for one config, in one of two modes. Compiled: the tries, the
 * decoded database itself freed as soon as they are built (they do not point into it),
 * so a snapshot holds only what lookups read. Direct: the file mapped by libmaxminddb
 * and the rules, every lookup walking the file (geo_direct.h); what a server answers
 * with while the tries compile. */
struct dnsd_geodb {
	int refs;		/* snapshots using it + the control thread's reference */
	char *path;		/* the file, as the config resolved it */
	geo_set_t *set;		/* compiled: one trie per record, indexed like conf->records */
	size_t record_count;	/* records in set or in.rules */
	geo_direct_t *direct;	/* direct: the mapped file; NULL when compiled */
	geo_conf_input_t input; /* direct: datacenters and rules, pointing into the conf
				 * (which outlives us: both belong to one reload) */
};

/* Most entries a direct lookup's order may need (geo_order_max() of a record); a config
 * with a longer one is compiled before answering, as the query path cannot allocate. */
#define GEODB_DIRECT_CHOICES 256

/* A new database handle for conf's file, or NULL with *errors (NULL too when the config
 * has no records). */
static dnsd_geodb_t *geodb_new(const conf_t *conf, char **errors)
{
	*errors = NULL;
	if (conf->record_count == 0)
		return NULL;
	if (conf->geoip_path == NULL) {
		if (asprintf(errors, "%s: geoip: required when records exist", conf->path) < 0)
			*errors = NULL;
		return NULL;
	}
	dnsd_geodb_t *gdb = calloc(1, sizeof(*gdb));
	if (gdb == NULL || (gdb->path = strdup(conf->geoip_path)) == NULL) {
		free(gdb);
		*errors = strdup("out of memory");
		return NULL;
	}
	gdb->refs = 1;
	gdb->record_count = conf->record_count;
	return gdb;
}

/* Sets *errors to "geoip: ERR" and frees gdb; returns NULL. */
static dnsd_geodb_t *geodb_fail(dnsd_geodb_t *gdb, const char *err, char **errors)
{
	if (asprintf(errors, "geoip: %s", err[0] ? err : "cannot load") < 0)
		*errors = NULL;
	dnsd_geodb_unref(gdb);
	return NULL;
}

dnsd_geodb_t *dnsd_geodb_load(const conf_t *conf, unsigned threads, char **errors)
{
	dnsd_geodb_t *gdb = geodb_new(conf, errors);
	if (gdb == NULL)
		return NULL;
	char err[512] = "";
	geo_db_t *db = geo_db_open(gdb->path, err, sizeof(err));
	if (db == NULL)
		return geodb_fail(gdb, err, errors);
	geo_conf_input_t in = {0};
	if (geo_conf_input(conf, &in, err, sizeof(err)) == 0)
		gdb->set = geo_set_build_threads(db, in.dcs, in.dc_count, in.rules, in.rule_count,
						 threads, err, sizeof(err));
	geo_conf_input_free(&in);
	geo_db_free(db);
	if (gdb->set == NULL)
		return geodb_fail(gdb, err, errors);
	return gdb;
}

dnsd_geodb_t *dnsd_geodb_open_direct(const conf_t *conf, unsigned threads, char **errors)
{
	dnsd_geodb_t *gdb = geodb_new(conf, errors);
	if (gdb == NULL)
		return NULL;
	char err[512] = "";
	if (geo_conf_input(conf, &gdb->input, err, sizeof(err)) < 0)
		return geodb_fail(gdb, err, errors);
	for (size_t i = 0; i < gdb->input.rule_count; i++) {
		const geo_rules_t *rules = &gdb->input.rules[i];
		char why[400];
		if (geo_rules_check(rules, gdb->input.dc_count, why, sizeof(why)) < 0) {
			snprintf(err, sizeof(err), "record %zu: %s", i, why);
			return geodb_fail(gdb, err, errors);
		}
		if (geo_order_max(rules) > GEODB_DIRECT_CHOICES) {
			dnsd_geodb_unref(gdb);
			return dnsd_geodb_load(conf, threads, errors);
		}
	}
	gdb->direct = geo_direct_open(gdb->path, err, sizeof(err));
	if (gdb->direct == NULL)
		return geodb_fail(gdb, err, errors);
	return gdb;
}

bool dnsd_geodb_is_direct(const dnsd_geodb_t *db)
{
	return db->direct != NULL;
}

const char *dnsd_geodb_path(const dnsd_geodb_t *db)
{
	return db->path;
}

void dnsd_geodb_ref(dnsd_geodb_t *db)
{
	db->refs++;
}

void dnsd_geodb_unref(dnsd_geodb_t *db)
{
	if (db == NULL || --db->refs > 0)
		return;
	geo_set_free(db->set);
	geo_direct_free(db->direct);
	geo_conf_input_free(&db->input);
	free(db->path);
	free(db);
}

/* The answer path's lookup: runs on query threads, reads only the immutable tries. */
static unsigned geodb_lookup(const void *ctx, size_t record_index, int family, const uint8_t *addr,
			     unsigned source_prefix, uint16_t *order, unsigned order_cap,
			     unsigned *scope)
{
	const dnsd_geodb_t *db = ctx;
	if (unlikely(record_index >= db->record_count))
		return 0;
	const geo_list_t *list;
	if (geo_trie_lookup(geo_set_trie(db->set, record_index), family, addr, source_prefix, &list,
			    scope) < 0)
		return 0;
	unsigned n = list->count < order_cap ? list->count : order_cap;
	memcpy(order, list->dc, n * sizeof(*order));
	return n;
}

/* The answer path's lookup in direct mode: runs on query threads, reads the mapped file
 * and the rules, both unchanged while the database lives. A file the walk finds
 * corrupt gives no opinion (the record's candidate order) with a full-length scope, so
 * resolvers keep that answer to this client; the full compile that follows start-up
 * refuses such a file. */
static unsigned geodb_direct_lookup(const void *ctx, size_t record_index, int family,
				    const uint8_t *addr, unsigned source_prefix, uint16_t *order,
				    unsigned order_cap, unsigned *scope)
{
	const dnsd_geodb_t *db = ctx;
	geo_choice_t choices[GEODB_DIRECT_CHOICES];
	char err[256];
	size_t count;

	if (unlikely(record_index >= db->record_count))
		return 0;
	if (geo_direct_lookup(db->direct, db->input.dcs, &db->input.rules[record_index], family,
			      addr, source_prefix, choices, &count, scope, err, sizeof(err)) < 0)
		return 0;
	unsigned n = count < order_cap ? (unsigned)count : order_cap;
	for (unsigned i = 0; i < n; i++)
		order[i] = (uint16_t)choices[i].dc;
	return n;
}

void dnsd_geodb_view(const dnsd_geodb_t *db, dnsd_geo_lookup_fn *lookup, const void **ctx)
{
	*lookup = db == NULL ? NULL : db->direct != NULL ? geodb_direct_lookup : geodb_lookup;
	*ctx = db;
}

/* Lookups per geo_trie_lookup_batch() call: one recvmmsg batch. */
#define GEODB_BATCH 32

/* Looks up pre[0..n), all of record `record`, in chunks of GEODB_BATCH. */
static void geodb_batch_record(const dnsd_geodb_t *db, size_t record, dnsd_geo_pre_t *const *pre,
			       size_t n)
{
	geo_trie_query_t q[GEODB_BATCH];
	const geo_trie_t *t = geo_set_trie(db->set, record);

	for (size_t base = 0; base < n; base += GEODB_BATCH) {
		size_t m = n - base < GEODB_BATCH ? n - base : GEODB_BATCH;
		for (size_t i = 0; i < m; i++) {
			const dnsd_geo_pre_t *p = pre[base + i];
			q[i] = (geo_trie_query_t){.family = p->family,
						  .addr = p->addr,
						  .source_prefix = p->source_prefix};
		}
		geo_trie_lookup_batch(t, q, m);
		for (size_t i = 0; i < m; i++) {
			dnsd_geo_pre_t *p = pre[base + i];
			p->done = true;
			if (q[i].rc < 0) {
				/* as geodb_lookup(): no opinion, scope untouched (0) */
				p->order = NULL;
				p->count = 0;
				p->scope = 0;
				continue;
			}
			p->order = q[i].list->dc;
			p->count = q[i].list->count < DNSD_GEO_ORDER_MAX ? q[i].list->count
									 : DNSD_GEO_ORDER_MAX;
			p->scope = q[i].scope;
		}
	}
}

void dnsd_geodb_lookup_batch(const dnsd_geo_t *g, dnsd_geo_pre_t *const *pre, size_t n)
{
	if (g->lookup != geodb_lookup)
		return;
	const dnsd_geodb_t *db = g->lookup_ctx;
	/* Nearly always one record: group by it without sorting (a chunk is one batch). */
	for (size_t base = 0; base < n; base += GEODB_BATCH) {
		size_t end = n - base < GEODB_BATCH ? n : base + GEODB_BATCH;
		bool used[GEODB_BATCH] = {false};
		dnsd_geo_pre_t *group[GEODB_BATCH];
		for (size_t i = base; i < end; i++) {
			if (used[i - base])
				continue;
			size_t record = pre[i]->record;
			size_t m = 0;
			for (size_t j = i; j < end; j++) {
				if (!used[j - base] && pre[j]->record == record) {
					used[j - base] = true;
					group[m++] = pre[j];
				}
			}
			/* an unknown record stays not done: the answer path decides */
			if (record < db->record_count)
				geodb_batch_record(db, record, group, m);
		}
	}
}
