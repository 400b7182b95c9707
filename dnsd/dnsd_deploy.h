/* SPDX-License-Identifier: MIT */
/* dnsd_deploy.h -- what meridian-dnsd serves (config, zones, GeoIP), recorded in state.db */
#ifndef MERIDIAN_DNSD_DEPLOY_H
#define MERIDIAN_DNSD_DEPLOY_H

#include <stddef.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_zone.h"
#include "state/state_deploy.h"

/* The zones part of a deployment row: a JSON array of {"digest", "origin", "serial"},
 * sorted by origin. The digest is SHA-256 over the zone's records in a canonical order
 * (owner, type, TTL and data as loaded), so comments, layout, $INCLUDE and record order
 * in the master file do not count; RRSIGs of a zone signed at load are left out (their
 * times are each load's own). malloc'd, NULL when out of memory. */
char *dnsd_deploy_zones_json(const dnsd_zones_t *zones) M_NONNULL_ALL M_WUR;

/* Fills dnsd's deployment row (state_deploy.h) from conf, the zones, and the GeoIP file at
 * geoip_path (NULL: none served): digests the config, every zone and the GeoIP file, so
 * it is built once per change, not per write attempt. 0, or -1 with the message in err
 * (row then needs nothing freed). Free with state_deployment_clear. */
int dnsd_deploy_build(const conf_t *conf, const dnsd_zones_t *zones, const char *geoip_path,
		      state_deployment_t *row, char *err, size_t errlen) M_NONNULL(1, 4, 5) M_WUR;
/* Writes row to conf's state.db through a short-lived writing connection (control
 * thread only). 0 written; 1 when state.db does not exist yet (try again later); -1 with
 * the message in err. */
int dnsd_deploy_write(const conf_t *conf, const state_deployment_t *row, char *err,
		      size_t errlen) M_NONNULL_ALL M_WUR;

#endif
