/* SPDX-License-Identifier: MIT */
/* daemon_signal.c -- SIGTERM/SIGINT stop, SIGHUP reloads: taken through a signalfd */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/daemon_signal.h"

int daemon_signals_open(daemon_signals_t *s, int extra)
{
	int rc;

	s->fd = -1;
	sigemptyset(&s->set);
	sigaddset(&s->set, SIGTERM);
	sigaddset(&s->set, SIGINT);
	sigaddset(&s->set, SIGHUP);
	if (extra > 0)
		sigaddset(&s->set, extra);
	signal(SIGPIPE, SIG_IGN);
	rc = pthread_sigmask(SIG_BLOCK, &s->set, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	s->fd = signalfd(-1, &s->set, SFD_NONBLOCK | SFD_CLOEXEC);
	return s->fd < 0 ? -1 : 0;
}

daemon_signal_t daemon_signals_next(daemon_signals_t *s, int *signo)
{
	struct signalfd_siginfo si;

	*signo = 0;
	if (s->fd < 0 || read(s->fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return DAEMON_SIGNAL_NONE;
	*signo = (int)si.ssi_signo;
	switch (*signo) {
	case SIGTERM:
	case SIGINT:
		return DAEMON_SIGNAL_STOP;
	case SIGHUP:
		return DAEMON_SIGNAL_RELOAD;
	default:
		return DAEMON_SIGNAL_OTHER;
	}
}

void daemon_signals_close(daemon_signals_t *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
