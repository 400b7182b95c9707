/* SPDX-License-Identifier: MIT */
/* hc_contain.c -- exec probe containment: subreaper, descendant kill, orphan sweep */
#include "config.h"
#include "healthcheck/hc_contain.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"

/* An exec probe's command may start processes in new sessions and process groups
 * (setsid, daemon(3)), which a kill of the probe's group misses. Two measures catch
 * them: before a timed-out probe's group is killed, every descendant found in /proc is
 * SIGKILLed with it; and the daemon is a child subreaper, so whatever escapes (forked
 * between the /proc walk and the kill, or left behind by a probe that exited) becomes
 * our child once its parent dies. The sweep then kills and reaps every child of ours
 * that is not a running probe's leader, with its whole tree.
 *
 * The loop thread alone calls into this file; the probe set and the counters are its own. */

/* Leaders of the exec probes running now: children the sweep must leave alone. */
static pid_t *hc_contain_live;
static size_t hc_contain_live_count;
static size_t hc_contain_live_cap;
/* True once we are a subreaper: only then is every untracked child a probe's leftover
 * (a unit test's own children must not be swept). */
static bool hc_contain_reaper;
/* Sweep at the next call (a probe was killed or the last sweep found something). */
static bool hc_contain_pending;
/* ms (hc_loop_now) of the last sweep; one runs at least every HC_CONTAIN_PERIOD_MS. */
static int64_t hc_contain_last_ms;
/* Processes killed by the containment since start (descendants and orphans). */
static uint64_t hc_contain_killed_total;

#define HC_CONTAIN_PERIOD_MS 1000

/* One process of a /proc scan. */
typedef struct {
	pid_t pid;  /* the process */
	pid_t ppid; /* its parent */
} hc_proc_t;

int hc_contain_init(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		return -1;
	hc_contain_reaper = true;
	return 0;
}

void hc_contain_track(pid_t pid)
{
	if (hc_contain_live_count == hc_contain_live_cap) {
		size_t cap = hc_contain_live_cap ? hc_contain_live_cap * 2 : 16;
		pid_t *grown = realloc(hc_contain_live, cap * sizeof(*grown));
		if (grown == NULL)
			return; /* untracked: a sweep may kill it early, the probe then fails */
		hc_contain_live = grown;
		hc_contain_live_cap = cap;
	}
	hc_contain_live[hc_contain_live_count++] = pid;
}

void hc_contain_untrack(pid_t pid)
{
	for (size_t i = 0; i < hc_contain_live_count; i++) {
		if (hc_contain_live[i] == pid) {
			hc_contain_live[i] = hc_contain_live[--hc_contain_live_count];
			return;
		}
	}
}

static bool contain_is_live(pid_t pid)
{
	for (size_t i = 0; i < hc_contain_live_count; i++)
		if (hc_contain_live[i] == pid)
			return true;
	return false;
}

/* Every process in /proc with its parent; NULL (and *count 0) when /proc cannot be read. */
static hc_proc_t *contain_scan(size_t *count)
{
	*count = 0;
	DIR *dir = opendir("/proc");
	if (dir == NULL)
		return NULL;
	size_t cap = 256, n = 0;
	hc_proc_t *procs = malloc(cap * sizeof(*procs));
	struct dirent *de;
	while (procs != NULL && (de = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		char path[64], line[512];
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		FILE *f = fopen(path, "re");
		if (f == NULL)
			continue;
		size_t len = fread(line, 1, sizeof(line) - 1, f);
		fclose(f);
		line[len] = '\0';
		/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
		char *close_paren = strrchr(line, ')');
		char state;
		long ppid;
		if (close_paren == NULL || sscanf(close_paren + 1, " %c %ld", &state, &ppid) != 2)
			continue;
		if (n == cap) {
			cap *= 2;
			hc_proc_t *grown = realloc(procs, cap * sizeof(*procs));
			if (grown == NULL) {
				free(procs);
				procs = NULL;
				break;
			}
			procs = grown;
		}
		procs[n++] = (hc_proc_t){.pid = (pid_t)pid, .ppid = (pid_t)ppid};
	}
	closedir(dir);
	*count = procs ? n : 0;
	return procs;
}

/* SIGKILLs every descendant of root in the scan (root itself excluded); returns how many. */
static size_t contain_kill_descendants(const hc_proc_t *procs, size_t count, pid_t root)
{
	/* Breadth first over the scan: the queue is the processes found so far. */
	size_t killed = 0, head = 0, tail = 0;
	pid_t *queue = malloc((count + 1) * sizeof(*queue));
	if (queue == NULL)
		return 0;
	queue[tail++] = root;
	while (head < tail) {
		pid_t parent = queue[head++];
		for (size_t i = 0; i < count && tail <= count; i++) {
			if (procs[i].ppid != parent || procs[i].pid == root)
				continue;
			queue[tail++] = procs[i].pid;
			if (kill(procs[i].pid, SIGKILL) == 0)
				killed++;
		}
	}
	free(queue);
	return killed;
}

void hc_contain_kill_tree(pid_t leader)
{
	size_t count;
	hc_proc_t *procs = contain_scan(&count);
	size_t killed = procs ? contain_kill_descendants(procs, count, leader) : 0;
	free(procs);
	kill(-leader, SIGKILL);
	kill(leader, SIGKILL);
	hc_contain_killed_total += killed;
	hc_contain_pending = true;
}

void hc_contain_exited(void)
{
	hc_contain_pending = true;
}

size_t hc_contain_sweep(int64_t now_ms)
{
	/* Without an exec probe ever started nothing can be left behind: no /proc scans. */
	if (!hc_contain_reaper || hc_contain_live_cap == 0)
		return 0;
	if (!hc_contain_pending && now_ms - hc_contain_last_ms < HC_CONTAIN_PERIOD_MS)
		return 0;
	hc_contain_last_ms = now_ms;
	hc_contain_pending = false;
	size_t count;
	hc_proc_t *procs = contain_scan(&count);
	if (procs == NULL)
		return 0;
	pid_t self = getpid();
	size_t found = 0;
	for (size_t i = 0; i < count; i++) {
		pid_t pid = procs[i].pid;
		if (procs[i].ppid != self || contain_is_live(pid))
			continue;
		/* A leftover: its tree first (they would be reparented to us one by one). */
		size_t killed = contain_kill_descendants(procs, count, pid);
		if (kill(pid, SIGKILL) == 0)
			killed++;
		(void)waitpid(pid, NULL, WNOHANG);
		hc_contain_killed_total += killed;
		found++;
	}
	free(procs);
	/* What we killed leaves children of its own to us: look again soon. */
	if (found > 0)
		hc_contain_pending = true;
	return found;
}

uint64_t hc_contain_killed(void)
{
	return hc_contain_killed_total;
}

void hc_contain_fini(void)
{
	free(hc_contain_live);
	hc_contain_live = NULL;
	hc_contain_live_count = hc_contain_live_cap = 0;
}
