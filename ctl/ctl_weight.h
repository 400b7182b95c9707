/* SPDX-License-Identifier: MIT */
/* ctl_weight.h -- `meridianctl weight`: run-time weights of configured splits */
#ifndef MERIDIAN_CTL_WEIGHT_H
#define MERIDIAN_CTL_WEIGHT_H

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"

/* weight TARGET DC N|clear: sets (or clears) DC's weight in TARGET's configured split,
 * replicated and audited, until it expires. Returns the exit status. */
int ctl_weight_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

#endif
