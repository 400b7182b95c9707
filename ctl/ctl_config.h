/* SPDX-License-Identifier: MIT */
/* ctl_config.h -- `meridianctl check` (validate the config) and `reload` (SIGHUP to dnsd) */
#ifndef MERIDIAN_CTL_CONFIG_H
#define MERIDIAN_CTL_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"

/* Loads args->config_path and reports: a summary and exit 0, or every error and exit 1. */
int ctl_check_run(const ctl_args_t *args) M_NONNULL_ALL M_WUR;
/* Sends SIGHUP to the meridian-dnsd serving conf (see docs/meridianctl.md, reload). */
int ctl_reload_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

/* The config path in a /proc/PID/cmdline image (NUL-separated words, len bytes):
 * the value of -c FILE, -cFILE, --config FILE or --config=FILE; NULL when absent.
 * Points into cmdline. */
const char *ctl_cmdline_config(const char *cmdline, size_t len) M_NONNULL_ALL;
/* Reads a pid file: one decimal pid, optional trailing newline. 0, or -1 with err. */
int ctl_pid_file_read(const char *path, pid_t *pid, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

#endif
