/* SPDX-License-Identifier: MIT */
/* ctl_stats.h -- `meridianctl stats`: the local daemons' live counters, from /metrics */
#ifndef MERIDIAN_CTL_STATS_H
#define MERIDIAN_CTL_STATS_H

#include <stdio.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"

/* Scrapes each daemon whose metrics: address is set and prints its non-zero samples
 * (or, with --json, every sample). 0 when every configured daemon answered, 1 when one
 * did not or none is configured. */
int ctl_stats_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

/* One sample line of a text exposition page: "NAME{LABELS} VALUE" into series (the
 * part before the value) and *value. false for comments, blank or malformed lines. */
bool ctl_stats_parse_line(const char *line, size_t len, char *series, size_t series_len,
			  double *value) M_NONNULL_ALL;

#endif
