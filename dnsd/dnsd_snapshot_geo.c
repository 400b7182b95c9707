/* SPDX-License-Identifier: MIT */
/* dnsd_snapshot_geo.c -- the geo database part of a snapshot: open, compile, watch */
#include "config.h"
#include "dnsd/dnsd_snapshot_geo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo/geo.h"

/* The tries compiled from one database file for one config. The decoded database itself
 * is freed as soon as the tries are built (they do not point into it): a snapshot holds
 * only what lookups read. */
struct dnsd_geodb {
	int refs;             /* snapshots using it + the control thread's reference */
	char *path;           /* the file, as the config resolved it */
	struct stat st;       /* identity of the file when loaded, to notice replacement */
	geo_set_t *set;       /* one trie per record, indexed like conf->records */
	size_t record_count;  /* records in set */
};

/* Everything geo_set_build reads, converted from the config; freed after the build. */
typedef struct {
	geo_dc_t *dcs;
	geo_rules_t *rules;
	geo_map_rule_t *maps;
	geo_net_rule_t *nets;
} geo_input_t;

static void input_free(geo_input_t *in)
{
	free(in->dcs);
	free(in->rules);
	free(in->maps);
	free(in->nets);
}

static int input_build(const conf_t *c, geo_input_t *in, char *err, size_t errlen)
{
	size_t nmap = 0, nnet = 0;
	for (size_t i = 0; i < c->record_count; i++) {
		nmap += c->records[i].map_count;
		nnet += c->records[i].net_count;
	}
	in->dcs = calloc(c->datacenter_count + 1, sizeof(*in->dcs));
	in->rules = calloc(c->record_count + 1, sizeof(*in->rules));
	in->maps = calloc(nmap + 1, sizeof(*in->maps));
	in->nets = calloc(nnet + 1, sizeof(*in->nets));
	if (!in->dcs || !in->rules || !in->maps || !in->nets) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->datacenter_count; i++) {
		const conf_datacenter_t *d = &c->datacenters[i];
		in->dcs[i] = (geo_dc_t){.name = d->name, .has_location = d->has_location,
					.latitude = d->latitude, .longitude = d->longitude};
	}
	geo_map_rule_t *m = in->maps;
	geo_net_rule_t *n = in->nets;
	for (size_t i = 0; i < c->record_count; i++) {
		const conf_record_t *r = &c->records[i];
		geo_rules_t *g = &in->rules[i];
		g->candidates = r->datacenters;
		g->candidate_count = r->datacenter_count;
		g->map = m;
		g->map_count = r->map_count;
		for (size_t k = 0; k < r->map_count; k++, m++)
			*m = (geo_map_rule_t){.key = r->map[k].key, .dcs = r->map[k].datacenters,
					      .count = r->map[k].count};
		g->nets = n;
		g->net_count = r->net_count;
		for (size_t k = 0; k < r->net_count; k++, n++) {
			char why[128];
			*n = (geo_net_rule_t){.key = r->nets[k].key, .dcs = r->nets[k].datacenters,
					      .count = r->nets[k].count};
			if (geo_net_parse(r->nets[k].key, &n->family, n->addr, &n->prefix, why,
					  sizeof(why)) < 0) {
				snprintf(err, errlen, "records.%s.nets: %s", r->name, why);
				return -1;
			}
		}
		g->default_order = c->default_order;
		g->default_count = c->default_order_count;
	}
	return 0;
}

dnsd_geodb_t *dnsd_geodb_load(const conf_t *conf, char **errors)
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
	char err[512] = "";
	/* stat before opening: if the file is replaced while we read it, the next check
	 * sees a difference and loads again. */
	if (stat(gdb->path, &gdb->st) < 0) {
		snprintf(err, sizeof(err), "%s: %s", gdb->path, strerror(errno));
		goto fail;
	}
	geo_db_t *db = geo_db_open(gdb->path, err, sizeof(err));
	if (db == NULL)
		goto fail;
	geo_input_t in = {0};
	if (input_build(conf, &in, err, sizeof(err)) == 0)
		gdb->set = geo_set_build(db, in.dcs, conf->datacenter_count, in.rules,
					 conf->record_count, err, sizeof(err));
	input_free(&in);
	geo_db_free(db);
	if (gdb->set == NULL)
		goto fail;
	return gdb;
fail:
	if (asprintf(errors, "geoip: %s", err[0] ? err : "cannot load") < 0)
		*errors = NULL;
	dnsd_geodb_unref(gdb);
	return NULL;
}

bool dnsd_geodb_changed(const dnsd_geodb_t *db)
{
	struct stat now;
	if (stat(db->path, &now) < 0)
		return false; /* gone for now (mid-replace): keep what we have */
	return now.st_dev != db->st.st_dev || now.st_ino != db->st.st_ino ||
	       now.st_size != db->st.st_size || now.st_mtim.tv_sec != db->st.st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != db->st.st_mtim.tv_nsec;
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
	free(db->path);
	free(db);
}

/* The answer path's lookup: runs on query threads, reads only the immutable tries. */
static unsigned geodb_lookup(const void *ctx, size_t record_index, int family,
			     const uint8_t *addr, unsigned source_prefix, uint16_t *order,
			     unsigned order_cap, unsigned *scope)
{
	const dnsd_geodb_t *db = ctx;
	if (unlikely(record_index >= db->record_count))
		return 0;
	const geo_list_t *list;
	if (geo_trie_lookup(geo_set_trie(db->set, record_index), family, addr, source_prefix,
			    &list, scope) < 0)
		return 0;
	unsigned n = list->count < order_cap ? list->count : order_cap;
	memcpy(order, list->dc, n * sizeof(*order));
	return n;
}

void dnsd_geodb_view(const dnsd_geodb_t *db, dnsd_geo_lookup_fn *lookup, const void **ctx)
{
	*lookup = db != NULL ? geodb_lookup : NULL;
	*ctx = db;
}
