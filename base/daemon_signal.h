/* SPDX-License-Identifier: MIT */
/* daemon_signal.h -- SIGTERM/SIGINT stop, SIGHUP reloads: taken through a signalfd */
#ifndef MERIDIAN_DAEMON_SIGNAL_H
#define MERIDIAN_DAEMON_SIGNAL_H

#include <signal.h>

#include "base/compiler.h"

/* What a signal asks a daemon to do. */
typedef enum {
	DAEMON_SIGNAL_NONE = 0, /* nothing is pending */
	DAEMON_SIGNAL_STOP,	/* SIGTERM or SIGINT: clean shutdown, exit 0 */
	DAEMON_SIGNAL_RELOAD,	/* SIGHUP: reload the configuration */
	DAEMON_SIGNAL_OTHER,	/* one of the daemon's extra signals (signo says which) */
} daemon_signal_t;

/* The signals a daemon takes, and the descriptor they arrive on. */
typedef struct {
	sigset_t set; /* SIGTERM, SIGINT, SIGHUP and the daemon's extra ones */
	int fd;	      /* signalfd, non-blocking, close-on-exec; -1 when not open */
} daemon_signals_t;

/* Blocks SIGTERM, SIGINT, SIGHUP and extra (0 or one more signal, e.g. SIGUSR1) in the
 * calling thread, ignores SIGPIPE (a peer closing a socket must not kill us) and opens a
 * signalfd for them. Call it before any thread exists: threads inherit the mask, so the
 * signalfd is the only way these signals come in and none dies of a default action.
 * 0, or -1 with errno set (s->fd is then -1). */
int daemon_signals_open(daemon_signals_t *s, int extra) M_NONNULL_ALL M_WUR;
/* Reads one pending signal: what it asks, and its number in *signo (0 with NONE). */
daemon_signal_t daemon_signals_next(daemon_signals_t *s, int *signo) M_NONNULL_ALL;
/* Closes the descriptor (the signals stay blocked); a closed set is fine. */
void daemon_signals_close(daemon_signals_t *s) M_NONNULL_ALL;

#endif
