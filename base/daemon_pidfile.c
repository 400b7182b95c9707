/* SPDX-License-Identifier: MIT */
/* daemon_pidfile.c -- --pid-file: one running instance per file, written once started */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/daemon_pidfile.h"
#include "base/log.h"

/* Linux keeps this many bytes of a process name in /proc/PID/comm. */
#define COMM_MAX 15

/* The pid a file holds: 1 with *pid set, 0 when the file is absent or holds no pid,
 * -1 when it cannot be read (errno set). */
static int pid_read(const char *path, long *pid)
{
	char buf[32];
	char *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	*pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || *pid <= 0 || (*end != '\0' && *end != '\n'))
		return 0;
	return 1;
}

/* Does process pid run program? Its comm is the program's name, cut to COMM_MAX. When
 * /proc cannot tell (not mounted, hidden), say yes: refusing to start is the safe side. */
static bool process_runs(long pid, const char *program)
{
	char path[64], comm[COMM_MAX + 2];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return true;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return strncmp(comm, program, COMM_MAX) == 0;
}

int daemon_pidfile_check(const char *path, const char *program, char *err, size_t errlen)
{
	long pid = 0;
	int rc = pid_read(path, &pid);

	if (rc < 0) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (rc == 0 || pid == (long)getpid())
		return 0;
	/* EPERM: the process exists but belongs to someone else. */
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
		log_info("pid file %s names pid %ld, which is gone; replacing it", path, pid);
		return 0;
	}
	if (!process_runs(pid, program)) {
		log_warn("pid file %s names pid %ld, which is not %s (a stale file); replacing it",
			 path, pid, program);
		return 0;
	}
	snprintf(err, errlen, "pid file %s: %s already runs as pid %ld", path, program, pid);
	return -1;
}

int daemon_pidfile_write(const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	int fd, len, saved;
	char line[32];

	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "pid file %s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	len = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	errno = 0;
	bool written = write(fd, line, (size_t)len) == (ssize_t)len;
	saved = errno;
	if (close(fd) != 0 && written) {
		written = false;
		saved = errno;
	}
	if (!written) {
		(void)unlink(tmp);
		snprintf(err, errlen, "pid file %s: cannot write: %s", path,
			 saved ? strerror(saved) : "short write");
		return -1;
	}
	if (rename(tmp, path) != 0) {
		saved = errno;
		(void)unlink(tmp);
		snprintf(err, errlen, "pid file %s: %s", path, strerror(saved));
		return -1;
	}
	return 0;
}

void daemon_pidfile_remove(const char *path)
{
	long pid = 0;

	if (pid_read(path, &pid) == 1 && pid == (long)getpid())
		(void)unlink(path);
}
