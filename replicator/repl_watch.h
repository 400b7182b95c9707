/* SPDX-License-Identifier: MIT */
/* repl_watch.h -- notices commits to state.db (any process) and wakes waiting long polls */
#ifndef MERIDIAN_REPL_WATCH_H
#define MERIDIAN_REPL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* A generation counter bumped whenever state.db changes. One thread polls
 * PRAGMA data_version on its own connection every poll_ms (so writes by healthcheck or
 * meridianctl are seen within that time); in-process writers call repl_watch_notify()
 * to wake waiters at once. Waiters sleep on a condition variable.
 * Concurrency: every function may be called from any thread; a mutex guards the counter. */
typedef struct repl_watch repl_watch_t;

/* Opens its own connection to the store at state_path and starts polling. */
repl_watch_t *repl_watch_start(const char *state_path, uint32_t poll_ms, char *err, size_t errlen)
    M_NONNULL(1, 3) M_WUR;
/* Wakes every waiter for good (they return -1), stops the poller, frees. */
void repl_watch_stop(repl_watch_t *w);
/* Bumps the generation now and wakes waiters. */
void repl_watch_notify(repl_watch_t *w) M_NONNULL_ALL;
/* Ends waits for good without freeing (shutdown begins). */
void repl_watch_shutdown(repl_watch_t *w) M_NONNULL_ALL;
uint64_t repl_watch_generation(repl_watch_t *w) M_NONNULL_ALL;
/* Waits until the generation differs from seen or until timeout_ms passed.
 * 1: changed; 0: timed out; -1: shutting down. */
int repl_watch_wait(repl_watch_t *w, uint64_t seen, uint32_t timeout_ms) M_NONNULL_ALL M_WUR;

/* Monotonic clock in ms. */
int64_t repl_monotonic_ms(void);

#endif
