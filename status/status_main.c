/* SPDX-License-Identifier: MIT */
/* status_main.c -- meridian-status: a read-only status page over HTTP, from state.db */
#include "config.h"

#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/daemon_cli.h"
#include "base/daemon_signal.h"
#include "base/log.h"
#include "conf/conf.h"
#include "status/status_page.h"

/* Threads: main takes signals; libmicrohttpd's one internal thread (no thread per
 * connection) answers every request and alone uses the read-only SQLite connection, so
 * the connection needs no lock. The database is opened read-only (mode=ro): the page
 * can never write, and as a WAL reader it never blocks the daemons. */

/* The command line's own options. */
typedef struct {
	conf_sockaddr_t listen; /* --listen, default 127.0.0.1:9157 */
	const char *db;		/* --db, or NULL: the config's state */
	unsigned refresh_s;	/* --refresh, 1..3600, default 5 */
} status_opts_t;

/* What a request reads. */
typedef struct {
	sqlite3 *db;	    /* read-only connection, used by the HTTP thread alone */
	unsigned refresh_s; /* the HTML page reloads itself this often */
} status_server_t;

static int listen_option(void *ctx, const char *value, char *err, size_t errlen)
{
	status_opts_t *o = ctx;
	if (conf_sockaddr_parse(value, 0, &o->listen) == 0)
		return 0;
	/* port 0 (the kernel picks; the address is logged) is allowed too */
	char text[80];
	size_t n = strlen(value);
	if (n > 2 && n < sizeof(text) && strcmp(value + n - 2, ":0") == 0) {
		snprintf(text, sizeof(text), "%.*s:1", (int)(n - 2), value);
		if (conf_sockaddr_parse(text, 0, &o->listen) == 0) {
			((struct sockaddr_in *)&o->listen.addr)->sin_port = 0; /* same offset in v6 */
			snprintf(o->listen.text, sizeof(o->listen.text), "%s", value);
			return 0;
		}
	}
	snprintf(err, errlen, "%s: not an address (ADDR:PORT, [ADDR6]:PORT)", value);
	return -1;
}

static int db_option(void *ctx, const char *value, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	((status_opts_t *)ctx)->db = value;
	return 0;
}

static int refresh_option(void *ctx, const char *value, char *err, size_t errlen)
{
	char *end;
	unsigned long v = strtoul(value, &end, 10);
	if (*value == '\0' || *end != '\0' || v < 1 || v > 3600) {
		snprintf(err, errlen, "%s: not a number of seconds in 1..3600", value);
		return -1;
	}
	((status_opts_t *)ctx)->refresh_s = (unsigned)v;
	return 0;
}

static const daemon_cli_option_t status_options[] = {
    {0, "listen", "ADDR:PORT", "serve the page here (default 127.0.0.1:9157; port 0: any, logged)",
     false, listen_option},
    {0, "db", "FILE", "read this state.db instead of the config's `state`", false, db_option},
    {0, "refresh", "SECONDS", "the HTML page reloads itself this often (default 5)", false,
     refresh_option},
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	/* no script, no frame, no plug-in: whatever a reason says, it is text */
	(void)MHD_add_response_header(r, "Content-Security-Policy",
				      "default-src 'none'; style-src 'unsafe-inline'");
	(void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	status_server_t *s = cls;
	(void)version, (void)upload, (void)con_cls;
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		static const char msg[] = "read-only: only GET\n";
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", msg, sizeof(msg) - 1);
	}
	bool html = strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0;
	if (!html && strcmp(url, "/status.json") != 0) {
		static const char msg[] = "not found: the page is at / and /status.json\n";
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", msg, sizeof(msg) - 1);
	}
	status_buf_t page = {0};
	char err[512];
	enum MHD_Result rc;
	if (status_page_render(s->db, html, s->refresh_s, &page, err, sizeof(err)) != 0) {
		log_warn("page: %s", err);
		status_buf_free(&page);
		status_buf_puts(&page, "state.db cannot be read: ");
		status_buf_puts(&page, err);
		status_buf_puts(&page, "\n");
		rc = reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
			   page.text ? page.text : "", page.len);
	} else {
		rc = reply(c, MHD_HTTP_OK,
			   html ? "text/html; charset=utf-8" : "application/json; charset=utf-8",
			   page.text ? page.text : "", page.len);
	}
	status_buf_free(&page);
	return rc;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) M_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vmsg(LOG_LEVEL_WARN, "libmicrohttpd", fmt, ap);
}

int main(int argc, char **argv)
{
	static status_opts_t opts = {.refresh_s = 5};
	if (conf_sockaddr_parse("127.0.0.1:9157", 0, &opts.listen) != 0)
		return 1;
	const daemon_cli_spec_t spec = {
	    .program = "meridian-status",
	    .check_doc = "check that the database opens and has the status views, and exit",
	    .extra = status_options,
	    .extra_count = M_ARRAY_LEN(status_options),
	    .ctx = &opts,
	    .epilogue = "Serves / (HTML) and /status.json from state.db, read-only. Logs go to "
			"stderr;\nSIGTERM/SIGINT stop.\n",
	};
	daemon_cli_t cli;
	int rc = daemon_cli_parse(&spec, argc, argv, &cli, stdout, stderr);
	if (rc != DAEMON_CLI_RUN)
		return rc;
	log_init("meridian-status", LOG_LEVEL_INFO);
	char *db_path = NULL;
	if (opts.db != NULL) {
		db_path = strdup(opts.db);
	} else {
		char *errors = NULL;
		conf_t *conf = conf_load(cli.config_path, &errors);
		if (conf == NULL) {
			fprintf(stderr, "%s", errors ? errors : "configuration could not be read\n");
			free(errors);
			return 1;
		}
		db_path = strdup(conf->state_path);
		conf_free(conf);
	}
	if (db_path == NULL) {
		log_error("out of memory");
		return 1;
	}
	status_server_t server = {.refresh_s = opts.refresh_s};
	char uri[4200];
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", db_path);
	if (sqlite3_open_v2(uri, &server.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
		SQLITE_OK ||
	    sqlite3_exec(server.db, "SELECT 1 FROM status_region LIMIT 1", NULL, NULL, NULL) !=
		SQLITE_OK) {
		log_error("%s: %s (the status views need a store written by this release)", db_path,
			  server.db ? sqlite3_errmsg(server.db) : "cannot open");
		sqlite3_close(server.db);
		free(db_path);
		return 1;
	}
	sqlite3_busy_timeout(server.db, 2000);
	if (cli.check_only) {
		printf("meridian-status: %s: status views readable\n", db_path);
		sqlite3_close(server.db);
		free(db_path);
		return 0;
	}
	daemon_signals_t sig;
	if (daemon_signals_open(&sig, 0) != 0) {
		log_error("signalfd: %s", strerror(errno));
		return 1;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (opts.listen.addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* clang-format off */
	struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &server,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&opts.listen.addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
		MHD_OPTION_END);
	/* clang-format on */
	const union MHD_DaemonInfo *port =
	    d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	if (d == NULL || port == NULL) {
		log_error("cannot listen on %s", opts.listen.text);
		if (d != NULL)
			MHD_stop_daemon(d);
		sqlite3_close(server.db);
		daemon_signals_close(&sig);
		free(db_path);
		return 1;
	}
	char host[64];
	snprintf(host, sizeof(host), "%s", opts.listen.text);
	char *colon = strrchr(host, ':');
	if (colon != NULL)
		*colon = '\0';
	log_info("serving http://%s:%u/ from %s (read-only)", host, port->port, db_path);
	int status = 0;
	for (;;) {
		struct pollfd pfd = {.fd = sig.fd, .events = POLLIN};
		int signo;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			status = 1;
			break;
		}
		if (daemon_signals_next(&sig, &signo) == DAEMON_SIGNAL_STOP) {
			log_info("signal %d: shutting down", signo);
			break;
		}
	}
	MHD_stop_daemon(d);
	sqlite3_close(server.db);
	daemon_signals_close(&sig);
	free(db_path);
	return status;
}
