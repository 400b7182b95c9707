/* SPDX-License-Identifier: MIT */
/* ctl_geo.h -- `meridianctl geo`: what the GeoIP database says of an address */
#ifndef MERIDIAN_CTL_GEO_H
#define MERIDIAN_CTL_GEO_H

#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"
#include "geo/geo.h"

int ctl_geo_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

/* The CLIENT-IP argument of command ("geo", "explain"): family and 16 address bytes
 * (IPv4 in the first 4). 0, or -1 after saying on stderr that text is no address. */
int ctl_geo_client_parse(const char *command, const char *text, int *family,
			 uint8_t addr[16]) M_NONNULL_ALL M_WUR;
/* The config's GeoIP database, opened; NULL after saying on stderr why (none
 * configured, or it cannot be opened). */
geo_db_t *ctl_geo_db_open(const char *command, const conf_t *conf) M_NONNULL_ALL M_WUR;

#endif
