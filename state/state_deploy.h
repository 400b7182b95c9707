/* SPDX-License-Identifier: MIT */
/* state_deploy.h -- what each region's daemons run (config, zones, GeoIP, version) and drift */
#ifndef MERIDIAN_STATE_DEPLOY_H
#define MERIDIAN_STATE_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "state/state.h"

#define STATE_DIGEST_MAX 65 /* SHA-256 as hex, with NUL */

/* What one daemon of one region serves, recorded on start and on every reload.
 * Key (region, component); replicated through the change log, last writer wins. */
typedef struct {
	char region[STATE_NAME_MAX];	      /* the region running it */
	char component[STATE_NAME_MAX];       /* "dnsd", "healthcheck", "replicator" */
	char version[STATE_NAME_MAX];	      /* the program's version (PACKAGE_VERSION) */
	char config_digest[STATE_DIGEST_MAX]; /* SHA-256 of config */
	char *config;			      /* canonical config JSON (conf_canon.h), malloc'd */
	char *zones;	/* JSON array of {"origin", "serial", "digest"} by origin, malloc'd; "[]" */
	char geoip_type[STATE_TEXT_MAX];     /* the GeoIP database's database_type, "" none */
	int64_t geoip_epoch;		     /* its build_epoch, seconds since epoch, 0 none */
	char geoip_digest[STATE_DIGEST_MAX]; /* SHA-256 of the file, "" none */
	int64_t since_ms;   /* when this content was first recorded, ms since epoch */
	int64_t updated_ms; /* when the row was last written, ms since epoch (= since_ms today) */
	uint64_t hlc;	    /* of the write that made this row */
	char origin[STATE_NAME_MAX]; /* region that wrote it */
} state_deployment_t;

/* Fills d for component of region: version, config (the canonical config JSON,
 * conf_canonical_json(), which d takes over: freed here on failure; NULL stands for a
 * failed allocation) and its digest; zones "[]" and no GeoIP (dnsd adds what it
 * serves). 0, or -1 with the message in err. Free with state_deployment_clear.
 * (state_deploy_build.c: needs OpenSSL.) */
int state_deployment_init(state_deployment_t *d, const char *region, const char *component,
			  char *config, char *err, size_t errlen) M_NONNULL(1, 2, 3, 5) M_WUR;
/* Frees what state_deployment_init and the caller put in d; d can be filled again. */
void state_deployment_clear(state_deployment_t *d) M_NONNULL_ALL;
/* Records d as this region's row of d->component (region and origin forced to this
 * region), row and change log in one transaction. When version, config, zones and GeoIP
 * are what the row already says, nothing is written (a restart adds no change-log
 * entry); otherwise since and updated become now. */
int state_deployment_put(state_t *st, const state_deployment_t *d) M_NONNULL_ALL M_WUR;
/* Every row, by region then component; *out malloc'd, free with state_deployments_free. */
int state_deployments_list(state_t *st, state_deployment_t **out, size_t *count) M_NONNULL_ALL M_WUR;
void state_deployments_free(state_deployment_t *list, size_t count);

/* One region's component that runs something else than this region's same component
 * (the status_drift view). A region is compared only for components both run. */
typedef struct {
	char region[STATE_NAME_MAX];    /* the other region */
	char component[STATE_NAME_MAX]; /* "dnsd", "healthcheck", "replicator" */
	bool config;			/* another config digest */
	bool zones;			/* another zone list, serial or zone digest */
	bool geoip;			/* another GeoIP type, build epoch or file digest */
	bool version;			/* another program version */
	int64_t since_ms; /* drifting since: the later of the two rows' since, ms since epoch */
} state_drift_t;

/* Every drifting (region, component), by region; *out malloc'd (caller frees), NULL and 0
 * when every region runs what this one runs. The hook for status pages and metrics:
 * drift per region is the rows of that region, its age now - since_ms. */
int state_drift_list(state_t *st, state_drift_t **out, size_t *count) M_NONNULL_ALL M_WUR;
/* The same folded per region (component ""): a part differs when it differs for any of
 * the region's components, since_ms is the earliest. One entry per drifting region, by
 * region: e.g. a metric meridian_drift_seconds{region} = now - since_ms. */
int state_drift_regions(state_t *st, state_drift_t **out, size_t *count) M_NONNULL_ALL M_WUR;

#endif
