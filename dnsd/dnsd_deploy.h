/* SPDX-License-Identifier: MIT */
/* dnsd_deploy.h -- what meridian-dnsd serves (config, zones, GeoIP), recorded in state.db */
#ifndef MERIDIAN_DNSD_DEPLOY_H
#define MERIDIAN_DNSD_DEPLOY_H

#include <stddef.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_zone.h"

/* The zones part of a deployment row: a JSON array of {"digest", "origin", "serial"},
 * sorted by origin. The digest is SHA-256 over the zone's records in a canonical order
 * (owner, type, TTL and data as loaded), so comments, layout, $INCLUDE and record order
 * in the master file do not count. malloc'd, NULL when out of memory. */
char *dnsd_deploy_zones_json(const dnsd_zones_t *zones) M_NONNULL_ALL M_WUR;

/* Writes dnsd's deployment row (state_deploy.h): conf, the zones, and the GeoIP file at
 * geoip_path (NULL: none served). Control thread only; opens a short-lived writing
 * connection to conf's state.db. 0 written; 1 when state.db does not exist yet (try
 * again later); -1 with the message in err. */
int dnsd_deploy_record(const conf_t *conf, const dnsd_zones_t *zones, const char *geoip_path,
		       char *err, size_t errlen) M_NONNULL(1, 4) M_WUR;

#endif
