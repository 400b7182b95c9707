/* SPDX-License-Identifier: MIT */
/* ctl_stats.c -- `meridianctl stats`: the local daemons' live counters, from /metrics */
#include "config.h"

#include "ctl/ctl_stats.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"

/* The daemons are local: a plain HTTP/1.0 GET on the configured address, with a 5 s
 * deadline for the whole exchange, is all a scrape needs (no TLS, no redirects). */
#define STATS_DEADLINE_MS 5000
#define STATS_PAGE_MAX (8u << 20)

/* One daemon's endpoint as the config names it. */
typedef struct {
	const char *program;	       /* meridian-dnsd, ... */
	const char *key;	       /* metrics.dnsd, ... */
	const conf_sockaddr_t *addr;   /* NULL when not configured */
} stats_target_t;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events before the deadline; 0, or -1 with err filled. */
static int wait_fd(int fd, short events, int64_t deadline, char *err, size_t errlen)
{
	struct pollfd p = {.fd = fd, .events = events};
	int64_t left = deadline - mono_ms();
	int n = left > 0 ? poll(&p, 1, (int)left) : 0;
	if (n > 0)
		return 0;
	if (n == 0)
		snprintf(err, errlen, "no answer within %d s", STATS_DEADLINE_MS / 1000);
	else
		snprintf(err, errlen, "poll: %s", strerror(errno));
	return -1;
}

/* GET /metrics from addr; the body in *page (caller frees). 0, or -1 with err. */
static int scrape(const conf_sockaddr_t *addr, char **page, char *err, size_t errlen)
{
	*page = NULL;
	int64_t deadline = mono_ms() + STATS_DEADLINE_MS;
	int fd = socket(addr->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&addr->addr, addr->len) != 0 &&
	    errno != EINPROGRESS) {
		snprintf(err, errlen, "cannot connect to %s: %s", addr->text, strerror(errno));
		close(fd);
		return -1;
	}
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (wait_fd(fd, POLLOUT, deadline, err, errlen) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
		if (soerr != 0)
			snprintf(err, errlen, "cannot connect to %s: %s", addr->text,
				 strerror(soerr));
		close(fd);
		return -1;
	}
	static const char req[] = "GET /metrics HTTP/1.0\r\nAccept: text/plain\r\n\r\n";
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1) {
		snprintf(err, errlen, "%s: send: %s", addr->text, strerror(errno));
		close(fd);
		return -1;
	}
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	for (;;) {
		if (buf == NULL) {
			snprintf(err, errlen, "out of memory");
			close(fd);
			return -1;
		}
		if (len + 1 == cap) {
			char *more = cap < STATS_PAGE_MAX ? realloc(buf, cap * 2) : NULL;
			if (more == NULL) {
				free(buf);
				snprintf(err, errlen, "%s: page too large", addr->text);
				close(fd);
				return -1;
			}
			buf = more;
			cap *= 2;
		}
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
		    wait_fd(fd, POLLIN, deadline, err, errlen) != 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				snprintf(err, errlen, "%s: recv: %s", addr->text, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
	}
	close(fd);
	buf[len] = '\0';
	char *body = strstr(buf, "\r\n\r\n");
	if (strncmp(buf, "HTTP/1.", 7) != 0 || body == NULL || strncmp(buf + 8, " 200", 4) != 0) {
		snprintf(err, errlen, "%s: not an HTTP 200 answer: %.40s", addr->text, buf);
		free(buf);
		return -1;
	}
	memmove(buf, body + 4, len - (size_t)(body + 4 - buf) + 1);
	*page = buf;
	return 0;
}

bool ctl_stats_parse_line(const char *line, size_t len, char *series, size_t series_len,
			  double *value)
{
	if (len == 0 || line[0] == '#')
		return false;
	/* the value follows the last space outside the label braces */
	size_t sp = len;
	while (sp > 0 && line[sp - 1] != ' ')
		sp--;
	if (sp == 0 || sp - 1 >= series_len)
		return false;
	char num[64];
	size_t nlen = len - sp;
	if (nlen == 0 || nlen >= sizeof(num))
		return false;
	memcpy(num, line + sp, nlen);
	num[nlen] = '\0';
	char *end;
	*value = strtod(num, &end);
	if (*end != '\0')
		return false;
	memcpy(series, line, sp - 1);
	series[sp - 1] = '\0';
	return true;
}

/* Each sample of page: printed as a table row (non-zero only, no histogram buckets) or
 * as a JSON member. */
static void samples(const char *page, ctl_table_t *table, ctl_json_t *j)
{
	const char *p = page;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char series[512];
		double v;
		if (ctl_stats_parse_line(p, len, series, sizeof(series), &v)) {
			if (j != NULL) {
				ctl_json_kv_double(j, series, v);
			} else if (v != 0 && strstr(series, "_bucket{") == NULL) {
				char text[64];
				snprintf(text, sizeof(text), "%.15g", v);
				ctl_table_row(table, (const char *const[]){"", series, text});
			}
		}
		p = nl ? nl + 1 : p + len;
	}
}

int ctl_stats_run(const ctl_args_t *args, const conf_t *conf)
{
	const stats_target_t targets[] = {
	    {"meridian-dnsd", "metrics.dnsd", conf->metrics.has_dnsd ? &conf->metrics.dnsd : NULL},
	    {"meridian-healthcheck", "metrics.healthcheck",
	     conf->metrics.has_healthcheck ? &conf->metrics.healthcheck : NULL},
	    {"meridian-replicator", "metrics.replicator",
	     conf->metrics.has_replicator ? &conf->metrics.replicator : NULL},
	};
	ctl_json_t j;
	ctl_table_t table;
	bool failed = false, any = false;
	if (args->json) {
		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "region", conf->region);
		ctl_json_key(&j, "daemons");
		ctl_json_array_begin(&j);
	} else {
		ctl_table_init(&table, 3);
	}
	for (size_t i = 0; i < M_ARRAY_LEN(targets); i++) {
		const stats_target_t *t = &targets[i];
		char err[256] = "";
		char *page = NULL;
		if (t->addr == NULL)
			snprintf(err, sizeof(err), "not configured (%s)", t->key);
		else if (((const struct sockaddr_in *)&t->addr->addr)->sin_port == 0)
			snprintf(err, sizeof(err),
				 "%s has port 0: the daemon logs the port it took", t->key);
		else if (scrape(t->addr, &page, err, sizeof(err)) == 0)
			any = true;
		if (t->addr != NULL && page == NULL)
			failed = true;
		if (args->json) {
			ctl_json_object_begin(&j);
			ctl_json_kv_string(&j, "program", t->program);
			ctl_json_kv_string(&j, "address", t->addr ? t->addr->text : NULL);
			ctl_json_kv_bool(&j, "up", page != NULL);
			ctl_json_kv_string(&j, "error", page ? NULL : err);
			ctl_json_key(&j, "metrics");
			ctl_json_object_begin(&j);
			if (page != NULL)
				samples(page, NULL, &j);
			ctl_json_object_end(&j);
			ctl_json_object_end(&j);
		} else {
			ctl_table_row(&table, (const char *const[]){t->program,
								     page ? t->addr->text : err,
								     ""});
			if (page != NULL)
				samples(page, &table, NULL);
		}
		free(page);
	}
	int rc;
	if (args->json) {
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
		rc = ctl_json_finish(&j);
	} else {
		rc = ctl_table_print(&table, stdout);
		ctl_table_free(&table);
	}
	if (!any && !failed)
		ctl_error("stats: no metrics address is configured (metrics: in %s)", conf->path);
	return rc == 0 && any && !failed ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}
