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

static void probe_stop_type(hc_probe_t *probe)
{
	switch (probe->check->type) {
	case CONF_CHECK_HTTP:
	case CONF_CHECK_HTTPS:
		hc_probe_http_stop(probe);
		break;
	case CONF_CHECK_TCP:
		hc_probe_tcp_stop(probe);
		break;
	case CONF_CHECK_DNS:
		hc_probe_dns_stop(probe);
		break;
	case CONF_CHECK_EXEC:
		hc_probe_exec_stop(probe);
		break;
	}
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
	if (probe->check->type == CONF_CHECK_DNS && probe->dns_tcp)
		hc_probe_finish(probe, false,
				"timeout after %u ms (TCP retry of a truncated answer)",
				probe->check->timeout_ms);
	else
		hc_probe_finish(probe, false, "timeout after %u ms", probe->check->timeout_ms);
}

void hc_probe_init(hc_probe_t *probe, hc_loop_t *loop, const conf_check_t *check,
		   hc_probe_done_fn done, void *done_arg)
{
	memset(probe, 0, sizeof(*probe));
	probe->loop = loop;
	probe->check = check;
	probe->done = done;
	probe->done_arg = done_arg;
	probe->fd = -1;
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
	switch (probe->check->type) {
	case CONF_CHECK_HTTP:
	case CONF_CHECK_HTTPS:
		rc = hc_probe_http_start(probe, reason, len);
		break;
	case CONF_CHECK_TCP:
		rc = hc_probe_tcp_start(probe, reason, len);
		break;
	case CONF_CHECK_DNS:
		rc = hc_probe_dns_start(probe, reason, len);
		break;
	case CONF_CHECK_EXEC:
		rc = hc_probe_exec_start(probe, reason, len);
		break;
	default:
		snprintf(reason, len, "unknown check type %d", (int)probe->check->type);
		break;
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
	hc_probe_http_fini(probe);
}
