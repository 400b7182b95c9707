/* SPDX-License-Identifier: MIT */
/* ctl_explain.h -- `meridianctl explain` and `meridianctl geo`: why a client gets its answer */
#ifndef MERIDIAN_CTL_EXPLAIN_H
#define MERIDIAN_CTL_EXPLAIN_H

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"

int ctl_explain_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;
int ctl_geo_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

#endif
