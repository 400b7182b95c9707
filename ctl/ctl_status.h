/* SPDX-License-Identifier: MIT */
/* ctl_status.h -- `meridianctl status`: effective state, observations, overrides, fail-open */
#ifndef MERIDIAN_CTL_STATUS_H
#define MERIDIAN_CTL_STATUS_H

#include <stdio.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_drift.h"
#include "ctl/ctl_state.h"

/* The monitoring-plugin levels `status` exits with (Nagios/Icinga convention). */
enum {
	CTL_STATUS_OK = 0,	 /* every datacenter serving, no record failing open */
	CTL_STATUS_WARNING = 1,	 /* a datacenter down, drained or forced down */
	CTL_STATUS_CRITICAL = 2, /* a record failing open, or the region isolated */
	CTL_STATUS_UNKNOWN = 3,	 /* the config, the store or the command line failed */
};

/* The level of a loaded view. */
int ctl_status_level(const conf_t *conf, const ctl_view_t *view) M_NONNULL_ALL M_PURE;

/* Runs the subcommand; returns the exit status (a CTL_STATUS_* level). */
int ctl_status_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

/* One region's observation as a status cell: `eu-west:down 3s "HTTP 503"`, with
 * " (stale, checked 45s ago)" when it does not vote (state_observation_fresh). Ages are
 * this region's view: since the row was stored here. Returns buf. */
const char *ctl_status_observation_text(const state_params_t *params,
					const state_observation_t *obs, int64_t now_ms, char *buf,
					size_t len) M_NONNULL_ALL;
/* An override as a status cell: `drain by alice, 29m55s left: "kernel upgrade"`. */
const char *ctl_status_override_text(const state_override_t *ovr, int64_t now_ms, char *buf,
				     size_t len) M_NONNULL_ALL;

/* The table and the --json document, from a loaded view (tests call these directly). */
int ctl_status_print_table(FILE *out, const conf_t *conf,
			   const ctl_view_t *view) M_NONNULL_ALL M_WUR;
int ctl_status_print_json(FILE *out, const conf_t *conf,
			  const ctl_view_t *view) M_NONNULL_ALL M_WUR;
/* The same with the "drift" and "deployments" members (ctl_drift.h) when st and drift
 * are given. */
int ctl_status_print_json_drift(FILE *out, const conf_t *conf, const ctl_view_t *view,
				state_t *st, const ctl_drift_t *drift) M_NONNULL(1, 2, 3) M_WUR;

#endif
