/* SPDX-License-Identifier: MIT */
/* daemon_pidfile.h -- --pid-file: one running instance per file, written once started */
#ifndef MERIDIAN_DAEMON_PIDFILE_H
#define MERIDIAN_DAEMON_PIDFILE_H

#include <stddef.h>

#include "base/compiler.h"

/* Before start-up: may program run with this pid file? 0 when the file is absent, holds
 * no pid, our own pid, or the pid of a process that is gone or runs another program (a
 * stale file after a crash: it is replaced, and that is logged). -1 when it names a
 * running process of the same program (/proc/PID/comm), or cannot be read; err then
 * says which ("pid file FILE: meridian-dnsd already runs as pid N"). */
int daemon_pidfile_check(const char *path, const char *program, char *err,
			 size_t errlen) M_NONNULL_ALL M_WUR;
/* Once started: writes "PID\n" to a temporary file beside path and renames it over
 * path, so a reader never sees a half-written file. 0, or -1 with err. */
int daemon_pidfile_write(const char *path, char *err, size_t errlen) M_NONNULL_ALL M_WUR;
/* At exit: removes path when it still holds our pid (a file another instance wrote
 * since is left alone). */
void daemon_pidfile_remove(const char *path) M_NONNULL_ALL;

#endif
