/* SPDX-License-Identifier: MIT */
/* metrics_http.c -- the /metrics endpoint: libmicrohttpd driven by the owner's event loop */
#include "config.h"

#include "metrics/metrics.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/* libmicrohttpd runs without a thread of its own (MHD_USE_EPOLL, no internal polling
 * thread): its epoll descriptor is watched by the owner's loop and MHD_run() is called
 * on the owner's thread, so render() runs there too. A scrape is a few kilobytes built
 * in memory and copied into the response; a connection lives at most 10 s idle. */
struct metrics_server {
	struct MHD_Daemon *daemon; /* the HTTP server, external epoll mode */
	metrics_render_fn render;  /* builds a page on the owner's thread */
	void *arg;		   /* passed to render */
	unsigned port;		   /* the port bound, 1..65535 */
	int epoll_fd;		   /* MHD's epoll descriptor, owned by MHD */
};

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	metrics_server_t *s = cls;
	(void)version, (void)upload, (void)con_cls;
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		static const char msg[] = "only GET\n";
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", msg, sizeof(msg) - 1);
	}
	if (strcmp(url, "/metrics") != 0) {
		static const char msg[] = "not found: the metrics are at /metrics\n";
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", msg, sizeof(msg) - 1);
	}
	metrics_page_t page = {0};
	s->render(s->arg, &page);
	enum MHD_Result rc;
	if (metrics_page_failed(&page)) {
		static const char msg[] = "out of memory\n";
		rc = reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", msg, sizeof(msg) - 1);
	} else {
		rc = reply(c, MHD_HTTP_OK, METRICS_CONTENT_TYPE, page.text ? page.text : "",
			   page.len);
	}
	metrics_page_free(&page);
	return rc;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) M_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vmsg(LOG_LEVEL_WARN, "metrics", fmt, ap);
}

metrics_server_t *metrics_server_start(const conf_sockaddr_t *addr, metrics_render_fn render,
				       void *arg, char *err, size_t errlen)
{
	metrics_server_t *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->render = render;
	s->arg = arg;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (addr->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* clang-format off */
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&addr->addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
		MHD_OPTION_END);
	/* clang-format on */
	if (s->daemon == NULL) {
		snprintf(err, errlen, "metrics: cannot listen on %s", addr->text);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *port = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	const union MHD_DaemonInfo *efd = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (port == NULL || efd == NULL) {
		snprintf(err, errlen, "metrics: %s: libmicrohttpd gives no port or epoll fd",
			 addr->text);
		MHD_stop_daemon(s->daemon);
		free(s);
		return NULL;
	}
	s->port = port->port;
	s->epoll_fd = efd->epoll_fd;
	/* The address as written, with the port bound (the config may say port 0). */
	char host[64];
	snprintf(host, sizeof(host), "%s", addr->text);
	char *colon = strrchr(host, ':');
	if (colon != NULL && (host[0] != '[' || colon > strchr(host, ']')))
		*colon = '\0';
	log_info("metrics: serving http://%s:%u/metrics", host, s->port);
	return s;
}

int metrics_server_fd(const metrics_server_t *s)
{
	return s->epoll_fd;
}

void metrics_server_run(metrics_server_t *s)
{
	(void)MHD_run(s->daemon);
}

unsigned metrics_server_port(const metrics_server_t *s)
{
	return s->port;
}

void metrics_server_stop(metrics_server_t *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
