/* SPDX-License-Identifier: MIT */
/* ctl_events.h -- `meridianctl events`: the audit log */
#ifndef MERIDIAN_CTL_EVENTS_H
#define MERIDIAN_CTL_EVENTS_H

#include <stdio.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"
#include "state/state.h"

int ctl_events_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

/* The audit log as a table or a --json document, newest first as given. */
int ctl_events_print(FILE *out, bool json, const state_event_t *events, size_t count)
    M_NONNULL(1) M_WUR;

#endif
