/* SPDX-License-Identifier: MIT */
/* geo_conf.h -- the geo library's plain inputs, converted from a parsed configuration */
#ifndef MERIDIAN_GEO_CONF_H
#define MERIDIAN_GEO_CONF_H

#include <stddef.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "geo/geo_order.h"

/* The geo inputs of a conf_t. Strings and index arrays point into the conf_t, which
 * must outlive this; the arrays here are owned and freed by geo_conf_input_free(). */
typedef struct {
	geo_dc_t *dcs; /* one per conf->datacenters, same order */
	size_t dc_count; /* entries in dcs */
	geo_rules_t *rules; /* one per conf->records, same order */
	size_t rule_count; /* entries in rules */
	geo_map_rule_t *maps; /* storage behind rules[].map */
	geo_net_rule_t *nets; /* storage behind rules[].nets, parsed */
} geo_conf_input_t;

/* Fills in from conf. Returns 0, or -1 with "records.\"NAME\".nets: KEY: reason" in err (in is
 * then empty). */
int geo_conf_input(const conf_t *conf, geo_conf_input_t *in, char *err,
		   size_t errlen) M_NONNULL_ALL M_WUR;
/* Frees what geo_conf_input() allocated; a zeroed or freed input is fine. */
void geo_conf_input_free(geo_conf_input_t *in) M_NONNULL_ALL;

#endif
