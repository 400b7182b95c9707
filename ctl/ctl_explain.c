/* SPDX-License-Identifier: MIT */
/* ctl_explain.c -- `meridianctl explain` and `meridianctl geo`: why a client gets its answer */
#include "config.h"

#include "ctl/ctl_explain.h"
#include "ctl/ctl_format.h"

int ctl_explain_run(const ctl_args_t *args, const conf_t *conf)
{
	ctl_error("explain: not available yet");
	return CTL_EXIT_FAIL;
}

int ctl_geo_run(const ctl_args_t *args, const conf_t *conf)
{
	ctl_error("geo: not available yet");
	return CTL_EXIT_FAIL;
}
