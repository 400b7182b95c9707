/* SPDX-License-Identifier: MIT */
/* hc_contain.h -- exec probe containment: subreaper, descendant kill, orphan sweep */
#ifndef MERIDIAN_HC_CONTAIN_H
#define MERIDIAN_HC_CONTAIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/compiler.h"

/* Makes the daemon a child subreaper (PR_SET_CHILD_SUBREAPER): processes an exec probe
 * leaves behind become its children, which hc_contain_sweep kills and reaps. 0 or -1
 * (errno set). Without it the sweep does nothing. */
int hc_contain_init(void) M_WUR;
/* A running exec probe's leader: never swept. */
void hc_contain_track(pid_t pid);
/* The leader has been reaped, or killed and handed to the orphan list. */
void hc_contain_untrack(pid_t pid);
/* SIGKILLs a timed-out probe: every descendant found in /proc, whatever session or group
 * it made, then the leader's group; a sweep follows at the next call. */
void hc_contain_kill_tree(pid_t leader);
/* A probe's leader exited: whatever it left behind is swept at the next call. */
void hc_contain_exited(void);
/* Kills and reaps every child that is not a running probe's leader, with its tree. Runs
 * when something is pending or once a second (now_ms: hc_loop_now()); returns the
 * number of leftovers found. */
size_t hc_contain_sweep(int64_t now_ms);
/* Processes the containment has killed since start. */
uint64_t hc_contain_killed(void);
/* Frees the probe set. */
void hc_contain_fini(void);

#endif
