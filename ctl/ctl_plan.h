/* SPDX-License-Identifier: MIT */
/* ctl_plan.h -- `--plan`: what an override or a weight would change, without writing it */
#ifndef MERIDIAN_CTL_PLAN_H
#define MERIDIAN_CTL_PLAN_H

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"

/* drain|force-down|force-up DC --plan, weight TARGET DC N|clear --plan: computes the
 * answers of every geo record for a sample of client networks of the GeoIP database
 * with the state as it is and as it would be, with geo_pick() both times, and prints
 * which records and which client populations (by continent) would change answer, and
 * whether the safety rule or capacity would refuse it. Writes nothing. Returns the exit
 * status: 0 when it would be accepted, 1 when refused, 2 on bad arguments. */
int ctl_plan_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

#endif
