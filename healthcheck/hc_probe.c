/* SPDX-License-Identifier: MIT */
/* hc_probe.c -- one run of one check: start, deadline, result, for every probe type */
#include "config.h"
#include "healthcheck/hc_probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/log.h"

/* Children killed on timeout that were not reaped at once. The loop thread alone touches
 * this list. Bounded: a SIGKILLed process is reaped within milliseconds, so the list only
 * grows when something is badly wrong, and then we stop tracking rather than grow. */
static pid_t hc_orphans[256];
static size_t hc_orphan_count;

void hc_probe_reap_orphans(void)
{
	size_t kept = 0;
	for (size_t i = 0; i < hc_orphan_count; i++) {
		pid_t r = waitpid(hc_orphans[i], NULL, WNOHANG);
		if (r == 0)
			hc_orphans[kept++] = hc_orphans[i];
	}
	hc_orphan_count = kept;
}

void hc_probe_orphan_add(pid_t pid)
{
	if (waitpid(pid, NULL, WNOHANG) != 0)
		return;
	if (hc_orphan_count < M_ARRAY_LEN(hc_orphans))
		hc_orphans[hc_orphan_count++] = pid;
	else
		log_warn("exec probe: process %d killed but not reaped yet; no longer tracked",
			 (int)pid);
}

void hc_probe_connect_reason(int err, char *reason, size_t reasonlen)
{
	if (err == ECONNREFUSED)
		snprintf(reason, reasonlen, "connect refused");
	else if (err == ETIMEDOUT)
		snprintf(reason, reasonlen, "connect timed out");
	else
		snprintf(reason, reasonlen, "connect failed: %s", strerror(err));
}

/* The operations of a check type, NULL for none. */
static const hc_probe_ops_t *probe_ops(conf_check_type_t type)
{
	switch (type) {
	case CONF_CHECK_HTTP:
	case CONF_CHECK_HTTPS:
		return &hc_probe_http_ops;
	case CONF_CHECK_TCP:
		return &hc_probe_tcp_ops;
	case CONF_CHECK_DNS:
		return &hc_probe_dns_ops;
	case CONF_CHECK_EXEC:
		return &hc_probe_exec_ops;
	}
	return NULL;
}

/* The type's state, made at the slot's first run and kept until hc_probe_fini. */
static int probe_state_new(hc_probe_t *probe)
{
	probe->state = calloc(1, probe->ops->state_size);
	if (probe->state == NULL)
		return -1;
	if (probe->ops->init != NULL)
		probe->ops->init(probe);
	return 0;
}

static void probe_stop_type(hc_probe_t *probe)
{
	if (probe->ops != NULL && probe->state != NULL)
		probe->ops->stop(probe);
}

void hc_probe_finish(hc_probe_t *probe, bool ok, const char *fmt, ...)
{
	if (!probe->running)
		return;
	hc_result_t result = {.ok = ok};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(result.reason, sizeof(result.reason), fmt, ap);
	va_end(ap);
	int64_t elapsed = hc_loop_now() - probe->started_ms;
	result.latency_ms = elapsed < 0 ? 0 : elapsed > INT32_MAX ? INT32_MAX : (int32_t)elapsed;
	hc_timer_disarm(probe->loop, &probe->deadline);
	probe_stop_type(probe);
	probe->running = false;
	probe->start_failed = false;
	probe->done(probe->done_arg, &result);
}

/* The deadline: the run hung (or could not start, reported from here so that the caller
 * of hc_probe_start() is never re-entered). */
static void probe_deadline(void *arg)
{
	hc_probe_t *probe = arg;
	if (probe->start_failed) {
		hc_probe_finish(probe, false, "%s", probe->start_reason);
		return;
	}
	char reason[HC_REASON_MAX];
	if (probe->ops->timeout_reason != NULL)
		probe->ops->timeout_reason(probe, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "timeout after %u ms", probe->check->timeout_ms);
	hc_probe_finish(probe, false, "%s", reason);
}

void hc_probe_init(hc_probe_t *probe, hc_loop_t *loop, const conf_check_t *check,
		   hc_probe_done_fn done, void *done_arg)
{
	memset(probe, 0, sizeof(*probe));
	probe->loop = loop;
	probe->check = check;
	probe->done = done;
	probe->done_arg = done_arg;
	probe->ops = probe_ops(check->type);
	hc_timer_init(&probe->deadline, probe_deadline, probe);
}

int hc_probe_start(hc_probe_t *probe)
{
	if (probe->running)
		return -1;
	probe->running = true;
	probe->start_failed = false;
	probe->started_ms = hc_loop_now();
	char *reason = probe->start_reason;
	size_t len = sizeof(probe->start_reason);
	int rc = -1;
	if (probe->ops == NULL) {
		snprintf(reason, len, "unknown check type %d", (int)probe->check->type);
	} else if (probe->state == NULL && probe_state_new(probe) != 0) {
		snprintf(reason, len, "out of memory");
	} else {
		rc = probe->ops->start(probe, reason, len);
	}
	if (rc != 0) {
		probe->start_failed = true;
		hc_timer_arm(probe->loop, &probe->deadline, probe->started_ms);
		return 0;
	}
	hc_timer_arm(probe->loop, &probe->deadline, probe->started_ms + probe->check->timeout_ms);
	return 0;
}

void hc_probe_cancel(hc_probe_t *probe)
{
	if (!probe->running)
		return;
	hc_timer_disarm(probe->loop, &probe->deadline);
	if (!probe->start_failed)
		probe_stop_type(probe);
	probe->running = false;
	probe->start_failed = false;
}

void hc_probe_fini(hc_probe_t *probe)
{
	hc_probe_cancel(probe);
	if (probe->state != NULL && probe->ops->fini != NULL)
		probe->ops->fini(probe);
	free(probe->state);
	probe->state = NULL;
}
