/* SPDX-License-Identifier: MIT */
/* daemon_service.c -- running as a service: readiness to systemd, the drop from root to a user */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "base/daemon_service.h"

/* Sends one sd_notify message. */
static int notify(const char *msg)
{
#ifdef HAVE_LIBSYSTEMD
	int rc = sd_notify(0, msg);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
#else
	/* The protocol by hand: one datagram to the AF_UNIX socket NOTIFY_SOCKET names, an
	 * abstract one when it starts with '@'. */
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len;
	int fd, rc;

	if (path == NULL || path[0] == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (const struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0
		 ? -1
		 : 0;
	close(fd);
	return rc;
#endif
}

int daemon_notify_ready(const char *status)
{
	char msg[512];

	if (getenv("NOTIFY_SOCKET") == NULL)
		return 0;
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s\nMAINPID=%ld", status, (long)getpid());
	return notify(msg);
}

void daemon_notify_stopping(void)
{
	if (getenv("NOTIFY_SOCKET") != NULL)
		(void)notify("STOPPING=1");
}

/* The uid and gid user (and group, when not NULL) name. */
static int ids_find(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err,
		    size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, errlen, "user '%s': %s", user,
			 errno != 0 ? strerror(errno) : "no such user");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group != NULL) {
		struct group *gr;

		errno = 0;
		gr = getgrnam(group);
		if (gr == NULL) {
			snprintf(err, errlen, "group '%s': %s", group,
				 errno != 0 ? strerror(errno) : "no such group");
			return -1;
		}
		*gid = gr->gr_gid;
	}
	if (*uid == 0) {
		snprintf(err, errlen, "user '%s' is root: nothing would be dropped", user);
		return -1;
	}
	return 0;
}

int daemon_privdrop_prepare(const char *path, const char *user, const char *group, char *err,
			    size_t errlen)
{
	uid_t uid;
	gid_t gid;
	int fd;

	if (geteuid() != 0 || user == NULL)
		return 0;
	if (ids_find(user, group, &uid, &gid, err, errlen) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchown(fd, uid, gid) < 0) {
		snprintf(err, errlen, "%s: chown to %s: %s", path, user, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int daemon_privdrop(const char *user, const char *group, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 || user == NULL)
		return 0;
	if (ids_find(user, group, &uid, &gid, err, errlen) < 0)
		return -1;
	/* The bounding set first: dropping it needs CAP_SETPCAP, gone after the uid change. */
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			snprintf(err, errlen, "dropping capability %d: %s", cap, strerror(errno));
			return -1;
		}
	}
	/* glibc applies each of these to every thread of the process. */
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "becoming user '%s': %s", user, strerror(errno));
		return -1;
	}
	/* Leaving uid 0 cleared the permitted, effective and ambient sets; make sure. */
	if (setuid(0) == 0 || geteuid() != uid || getegid() != gid) {
		snprintf(err, errlen, "becoming user '%s': root could be regained", user);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
