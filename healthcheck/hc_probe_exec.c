/* SPDX-License-Identifier: MIT */
/* hc_probe_exec.c -- exec probe: run a command; exit status 0 means healthy */
#include "config.h"
#include "healthcheck/hc_probe.h"
#include "healthcheck/hc_contain.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child: its own process group (so a timeout kills whatever it started too),
 * stdin/stdout on /dev/null, stderr shared with the daemon for the operator to read,
 * no inherited fds, default signal handling. Only async-signal-safe calls after fork. */
static void M_NORETURN exec_child(char *const argv[], int devnull)
{
	setpgid(0, 0);
	dup2(devnull, STDIN_FILENO);
	dup2(devnull, STDOUT_FILENO);
	close_range(3, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	_exit(127);
}

/* How often waitpid is polled when the kernel has no pidfd_open. */
#define EXEC_POLL_MS 10

static void exec_release(hc_probe_t *probe, bool kill_group)
{
	if (probe->exec_polled) {
		hc_timer_disarm(probe->loop, &probe->exec_poll);
		probe->exec_polled = false;
	}
	if (probe->fd >= 0) {
		hc_loop_io_del(probe->loop, probe->fd);
		close(probe->fd);
		probe->fd = -1;
	}
	if (probe->pid > 0) {
		hc_contain_untrack(probe->pid);
		if (kill_group) {
			hc_contain_kill_tree(probe->pid);
			hc_probe_orphan_add(probe->pid);
		}
		probe->pid = 0;
	}
}

/* Ends the run if the child has exited; false, and nothing touched, while it runs.
 * After true the probe may already be running again (done can restart it). */
static bool exec_reap(hc_probe_t *probe)
{
	int status;
	pid_t r = waitpid(probe->pid, &status, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return false;
	if (r < 0) {
		int err = errno;
		exec_release(probe, false);
		hc_probe_finish(probe, false, "waitpid: %s", strerror(err));
		return true;
	}
	/* The leader exited; anything it left behind in its group goes too, and what left the
	 * group (setsid) is now our child, for the sweep. */
	kill(-probe->pid, SIGKILL);
	hc_contain_untrack(probe->pid);
	hc_contain_exited();
	probe->pid = 0;
	if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);
		if (code == 0)
			hc_probe_finish(probe, true, "exit status 0");
		else if (code == 127)
			hc_probe_finish(probe, false, "exit status 127 (command not found?)");
		else
			hc_probe_finish(probe, false, "exit status %d", code);
	} else if (WIFSIGNALED(status)) {
		hc_probe_finish(probe, false, "killed by signal %d", WTERMSIG(status));
	} else {
		hc_probe_finish(probe, false, "exit status unknown");
	}
	return true;
}

static void exec_ready(void *arg, int fd, uint32_t events)
{
	hc_probe_t *probe = arg;
	(void)events;
	if (!probe->running || fd != probe->fd || probe->pid <= 0)
		return;
	(void)exec_reap(probe);
}

static void exec_poll(void *arg)
{
	hc_probe_t *probe = arg;
	if (!probe->running || probe->pid <= 0)
		return;
	if (!exec_reap(probe))
		hc_timer_arm(probe->loop, &probe->exec_poll, hc_loop_now() + EXEC_POLL_MS);
}

int hc_probe_exec_start(hc_probe_t *probe, char *reason, size_t reasonlen)
{
	char *const *argv = probe->check->exec_argv;
	if (argv == NULL || argv[0] == NULL) {
		snprintf(reason, reasonlen, "no command");
		return -1;
	}
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		snprintf(reason, reasonlen, "open /dev/null: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(reason, reasonlen, "fork: %s", strerror(errno));
		close(devnull);
		return -1;
	}
	if (pid == 0)
		exec_child(argv, devnull);
	close(devnull);
	/* Also from the parent, so a kill(-pid) right after fork cannot miss the group. */
	setpgid(pid, pid);
	probe->pid = pid;
	hc_contain_track(pid);
	int fd = pidfd_open(pid, 0);
	if (fd < 0 && errno == ENOSYS) {
		hc_timer_init(&probe->exec_poll, exec_poll, probe);
		probe->exec_polled = true;
		hc_timer_arm(probe->loop, &probe->exec_poll, hc_loop_now() + EXEC_POLL_MS);
		return 0;
	}
	if (fd < 0) {
		snprintf(reason, reasonlen, "pidfd_open: %s", strerror(errno));
		exec_release(probe, true);
		return -1;
	}
	probe->fd = fd;
	if (hc_loop_io_set(probe->loop, fd, EPOLLIN, exec_ready, probe) != 0) {
		snprintf(reason, reasonlen, "epoll: %s", strerror(errno));
		exec_release(probe, true);
		return -1;
	}
	return 0;
}

void hc_probe_exec_stop(hc_probe_t *probe)
{
	/* Still running: it overran (or was cancelled); SIGKILL the whole group. */
	exec_release(probe, true);
}
