/* SPDX-License-Identifier: MIT */
/* ctl_override.h -- `meridianctl drain|force-down|force-up|clear`: operator overrides */
#ifndef MERIDIAN_CTL_OVERRIDE_H
#define MERIDIAN_CTL_OVERRIDE_H

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"

/* drain, force-down, force-up: checks the safety rule, writes the override and its
 * audit event. Returns the exit status. */
int ctl_override_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;
/* clear: tombstones the datacenter's override (an audit event records who and why). */
int ctl_override_clear_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

#endif
