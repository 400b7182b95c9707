/* SPDX-License-Identifier: MIT */
/* ctl_zones.h -- `meridianctl zones`: each zone's file and DNSSEC signing state */
#ifndef MERIDIAN_CTL_ZONES_H
#define MERIDIAN_CTL_ZONES_H

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"

/* Prints each zone of conf: its file, how it is signed (keys with tag, algorithm, KSK
 * or ZSK; NSEC or NSEC3; validity and refresh) and what the running meridian-dnsd
 * serves (its SOA's signatures valid until, the next renewal). */
int ctl_zones_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

#endif
