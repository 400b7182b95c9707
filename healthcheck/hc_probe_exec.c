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

/* An exec probe's own state (hc_probe_t.state). */
typedef struct {
	int fd;		     /* the child's pidfd; -1 when none */
	pid_t pid;	     /* the child, the leader of its own process group; 0 when none */
	hc_timer_t exec_poll; /* without pidfd_open (kernels before 5.3, valgrind): waitpid polled */
	bool exec_polled;     /* exec_poll is initialised (and may be armed) */
} exec_state_t;

static exec_state_t *exec_of(const hc_probe_t *probe)
{
	return probe->state;
}

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
	if (exec_of(probe)->exec_polled) {
		hc_timer_disarm(probe->loop, &exec_of(probe)->exec_poll);
		exec_of(probe)->exec_polled = false;
	}
	if (exec_of(probe)->fd >= 0) {
		hc_loop_io_del(probe->loop, exec_of(probe)->fd);
		close(exec_of(probe)->fd);
		exec_of(probe)->fd = -1;
	}
	if (exec_of(probe)->pid > 0) {
		hc_contain_untrack(exec_of(probe)->pid);
		if (kill_group) {
			hc_contain_kill_tree(exec_of(probe)->pid);
			hc_probe_orphan_add(exec_of(probe)->pid);
		}
		exec_of(probe)->pid = 0;
	}
}

/* Ends the run if the child has exited; false, and nothing touched, while it runs.
 * After true the probe may already be running again (done can restart it). */
static bool exec_reap(hc_probe_t *probe)
{
	int status;
	pid_t r = waitpid(exec_of(probe)->pid, &status, WNOHANG);
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
	kill(-exec_of(probe)->pid, SIGKILL);
	hc_contain_untrack(exec_of(probe)->pid);
	hc_contain_exited();
	exec_of(probe)->pid = 0;
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
	if (!probe->running || fd != exec_of(probe)->fd || exec_of(probe)->pid <= 0)
		return;
	(void)exec_reap(probe);
}

static void exec_poll(void *arg)
{
	hc_probe_t *probe = arg;
	if (!probe->running || exec_of(probe)->pid <= 0)
		return;
	if (!exec_reap(probe))
		hc_timer_arm(probe->loop, &exec_of(probe)->exec_poll, hc_loop_now() + EXEC_POLL_MS);
}

static int exec_start(hc_probe_t *probe, char *reason, size_t reasonlen)
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
	exec_of(probe)->pid = pid;
	hc_contain_track(pid);
	int fd = pidfd_open(pid, 0);
	if (fd < 0 && errno == ENOSYS) {
		hc_timer_init(&exec_of(probe)->exec_poll, exec_poll, probe);
		exec_of(probe)->exec_polled = true;
		hc_timer_arm(probe->loop, &exec_of(probe)->exec_poll, hc_loop_now() + EXEC_POLL_MS);
		return 0;
	}
	if (fd < 0) {
		snprintf(reason, reasonlen, "pidfd_open: %s", strerror(errno));
		exec_release(probe, true);
		return -1;
	}
	exec_of(probe)->fd = fd;
	if (hc_loop_io_set(probe->loop, fd, EPOLLIN, exec_ready, probe) != 0) {
		snprintf(reason, reasonlen, "epoll: %s", strerror(errno));
		exec_release(probe, true);
		return -1;
	}
	return 0;
}

static void exec_stop(hc_probe_t *probe)
{
	/* Still running: it overran (or was cancelled); SIGKILL the whole group. */
	exec_release(probe, true);
}

static void exec_init(hc_probe_t *probe)
{
	exec_of(probe)->fd = -1;
}

const hc_probe_ops_t hc_probe_exec_ops = {
	.name = "exec",
	.state_size = sizeof(exec_state_t),
	.init = exec_init,
	.start = exec_start,
	.stop = exec_stop,
};
