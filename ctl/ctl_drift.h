/* SPDX-License-Identifier: MIT */
/* ctl_drift.h -- what every region runs and where it drifts, for status, peers, diff, check */
#ifndef MERIDIAN_CTL_DRIFT_H
#define MERIDIAN_CTL_DRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_json.h"
#include "state/state.h"
#include "state/state_deploy.h"

/* The deployments table and the drift from this region, read at one instant. */
typedef struct {
	state_deployment_t *deps; /* every region's rows (malloc'd) */
	size_t dep_count;	  /* entries in deps */
	state_drift_t *drift;	  /* (region, component)s running something else (malloc'd) */
	size_t drift_count;	  /* entries in drift */
	int64_t now_ms;		  /* the instant ages are measured at, ms since epoch */
	uint32_t grace_ms;	  /* replication.drift_grace */
	char problem[256];	  /* why nothing could be read ("" when loaded) */
} ctl_drift_t;

/* Reads deployments and drift. Never fails the caller: a store without the table (an
 * older schema) leaves the lists empty with the reason in problem. */
void ctl_drift_load(state_t *st, const conf_t *conf, ctl_drift_t *out) M_NONNULL_ALL;
void ctl_drift_free(ctl_drift_t *d) M_NONNULL_ALL;
/* True when some drift has lasted longer than the grace: status exits 1 (WARNING). */
bool ctl_drift_warning(const ctl_drift_t *d) M_NONNULL_ALL M_PURE;
/* "config, zones" for the parts of d that differ; returns buf. */
const char *ctl_drift_what(const state_drift_t *d, char *buf, size_t len) M_NONNULL_ALL;

/* status: the drift section (a line when there is none). */
void ctl_drift_print_status(FILE *out, const conf_t *conf, const ctl_drift_t *d) M_NONNULL_ALL;
/* peers: a table of what each region runs, its drift and since when. */
int ctl_drift_print_deployments(FILE *out, sqlite3 *db, const ctl_drift_t *d) M_NONNULL_ALL M_WUR;
/* --json: the members "drift" (grace_ms, warning, regions[]) and "deployments" of the
 * current object. st reads the zone lists. */
void ctl_drift_json(ctl_json_t *j, state_t *st, const ctl_drift_t *d) M_NONNULL_ALL;

/* meridianctl diff REGION: what REGION runs that this region does not. */
int ctl_diff_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;
/* meridianctl check CANDIDATE: the candidate against what every region runs, read from
 * conf's store. Returns the exit status (0 when the candidate is valid). */
int ctl_check_candidate_run(const ctl_args_t *args, const char *candidate) M_NONNULL_ALL M_WUR;

#endif
