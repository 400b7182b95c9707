/* SPDX-License-Identifier: MIT */
/* daemon_service.h -- running as a service: readiness to systemd, the drop from root to a user */
#ifndef MERIDIAN_DAEMON_SERVICE_H
#define MERIDIAN_DAEMON_SERVICE_H

#include <stddef.h>

#include "base/compiler.h"

/* Tells the service manager the daemon is ready (sd_notify "READY=1" plus a STATUS=
 * line): call it once the sockets are bound and the data is live. Does nothing when
 * NOTIFY_SOCKET is unset (not started by systemd with Type=notify). Built with
 * libsystemd (pkg-config, optional) it is sd_notify(3); without, the same datagram is
 * sent by hand. 0, or -1 with errno set (a failed notification is not fatal). */
int daemon_notify_ready(const char *status) M_NONNULL_ALL;
/* "STOPPING=1": the daemon is shutting down. Nothing without NOTIFY_SOCKET. */
void daemon_notify_stopping(void);

/* When the process runs as root and user is set: gives path (the state store, before it
 * is first created) to that user, so the files SQLite adds next to it (-wal, -shm),
 * which it gives the store's owner when it runs as root, belong to the user too. A
 * file that exists is left alone. 0, or -1 with a message in err. */
int daemon_privdrop_prepare(const char *path, const char *user, const char *group, char *err,
			    size_t errlen) M_NONNULL(1, 4) M_WUR;

/* Started as root with user set: becomes that user for good, in every thread: group
 * (the user's own when NULL) as real, effective and saved gid, no supplementary group,
 * the user's uid likewise, then no capability in any set, the bounding set included
 * (this thread's; new threads and exec'd programs start from it). Not root, or no
 * user: does nothing. Call it after binding the sockets. 0, or -1 with a message in err
 * naming what failed ("user 'x': no such user"). */
int daemon_privdrop(const char *user, const char *group, char *err, size_t errlen)
    M_NONNULL(3) M_WUR;

#endif
