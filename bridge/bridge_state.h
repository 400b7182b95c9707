/* SPDX-License-Identifier: MIT */
/* bridge_state.h -- the state floor's parameters (state_params_t) built from a config */
#ifndef MERIDIAN_BRIDGE_STATE_H
#define MERIDIAN_BRIDGE_STATE_H

#include "base/compiler.h"
#include "conf/conf.h"
#include "state/state_params.h"

/* What the verdict, the guard, the status tables and the live load read of conf, for
 * every program that calls them (meridian-dnsd, meridian-healthcheck, meridianctl): one
 * mapping from the config's keys to state_params_t, so no program has its own.
 * The result borrows conf's strings and address arrays: conf must outlive it. One
 * allocation; NULL when out of memory. Free with bridge_state_params_free(). */
state_params_t *bridge_state_params_new(const conf_t *conf) M_NONNULL_ALL M_WUR;
/* Frees what bridge_state_params_new() returned; NULL is a no-op. */
void bridge_state_params_free(state_params_t *params);

#endif
