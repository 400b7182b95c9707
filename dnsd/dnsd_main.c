/* SPDX-License-Identifier: MIT */
/* dnsd_main.c -- meridian-dnsd: command line, signals, start-up and shutdown */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/daemon_cli.h"
#include "base/daemon_pidfile.h"
#include "base/daemon_service.h"
#include "base/daemon_signal.h"
#include "base/log.h"
#include "conf/conf.h"
#include "dnsd/dnsd_metrics.h"
#include "dnsd/dnsd_reload.h"
#include "dnsd/dnsd_server.h"

/* Threads: this (main) thread is the control thread. It owns the configuration, the
 * state.db connection and every snapshot build, and takes signals through a signalfd
 * (they are blocked in every thread, so workers never see them). The UDP workers and the
 * TCP loop only read published snapshots. */

#define DNSD_LISTEN_MAX 64

/* The addresses --listen asked for, in order (they replace dns.listen). */
typedef struct {
	conf_sockaddr_t addrs[DNSD_LISTEN_MAX]; /* parsed, port 53 when none is given */
	size_t count;				/* entries used, 0..DNSD_LISTEN_MAX */
} dnsd_listen_t;

static int listen_option(void *ctx, const char *value, char *err, size_t errlen)
{
	dnsd_listen_t *l = ctx;
	if (l->count == DNSD_LISTEN_MAX) {
		snprintf(err, errlen, "at most %d addresses", DNSD_LISTEN_MAX);
		return -1;
	}
	if (conf_listen_parse(value, 53, &l->addrs[l->count]) < 0) {
		snprintf(err, errlen, "%s: not an address (ADDR:PORT, [ADDR6]:PORT)", value);
		return -1;
	}
	l->count++;
	return 0;
}

static const daemon_cli_option_t dnsd_options[] = {
    {0, "listen", "ADDR:PORT", "listen here instead of dns.listen (repeatable)", true,
     listen_option},
};

/* Prints every line of errors to stderr, each prefixed with the program name. */
static void print_errors(const char *errors)
{
	const char *p = errors;
	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (len > 0)
			fprintf(stderr, "meridian-dnsd: %.*s\n", len, p);
		p = nl ? nl + 1 : NULL;
	}
}

/* Every TCP connection is a descriptor: raise the soft limit to the hard one, and say
 * so when even that is below what dns.tcp_max_connections asks for. */
static void fd_limit_raise(const conf_t *conf, size_t listen_count)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t need = (rlim_t)conf->dns.tcp_max_connections + 64 +
		      (rlim_t)listen_count * (2 + (conf->dns.threads ? conf->dns.threads : 64));
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warn("open files limit %llu is below what dns.tcp_max_connections %u needs "
			 "(about %llu); when descriptors run out the oldest idle TCP connections "
			 "are closed",
			 (unsigned long long)rl.rlim_cur, conf->dns.tcp_max_connections,
			 (unsigned long long)need);
}

/* Waits for signals and runs the control ticks until SIGTERM or SIGINT; serves
 * /metrics (when on) from this thread too. */
static int control_loop(dnsd_reload_t *r, daemon_signals_t *sig, const dnsd_server_t *server,
			metrics_server_t *metrics)
{
	struct pollfd pfds[2] = {{.fd = sig->fd, .events = POLLIN},
				 {.fd = metrics ? metrics_server_fd(metrics) : -1, .events = POLLIN}};
	const dnsd_metrics_src_t src = {.server = server, .reload = r};
	struct pollfd *pfd = &pfds[0];
	for (;;) {
		int n = poll(pfds, metrics ? 2 : 1, (int)dnsd_reload_poll_ms(r));
		if (metrics != NULL)
			metrics_server_run(metrics); /* cheap; also times idle connections out */
		if (n > 0 && !(pfd->revents & POLLIN))
			n = 0;
		if (n < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			return 1;
		}
		daemon_signal_t what;
		int signo;
		while (n > 0 && (what = daemon_signals_next(sig, &signo)) != DAEMON_SIGNAL_NONE) {
			if (what == DAEMON_SIGNAL_RELOAD) {
				(void)dnsd_reload_config(r);
			} else if (what == DAEMON_SIGNAL_OTHER && signo == SIGUSR1) {
				dnsd_metrics_log(&src);
			} else if (what == DAEMON_SIGNAL_STOP) {
				log_info("%s received, shutting down",
					 signo == SIGTERM ? "SIGTERM" : "SIGINT");
				return 0;
			}
		}
		dnsd_reload_tick(r);
	}
}

int main(int argc, char **argv)
{
	static dnsd_listen_t listen;
	const daemon_cli_spec_t spec = {
	    .program = "meridian-dnsd",
	    .check_doc = "check the configuration, the zones and the geo database and exit: "
			 "0 valid, 1 with every problem",
	    .extra = dnsd_options,
	    .extra_count = M_ARRAY_LEN(dnsd_options),
	    .ctx = &listen,
	    .epilogue = "Logs go to stderr. SIGHUP reloads the configuration and zones, "
			"SIGUSR1 logs counters,\nSIGTERM/SIGINT stop.\n",
	};
	daemon_cli_t cli;
	int rc = daemon_cli_parse(&spec, argc, argv, &cli, stdout, stderr);
	if (rc != DAEMON_CLI_RUN)
		return rc;
	const char *config = cli.config_path;
	const char *pid_file = cli.pid_file;
	bool check = cli.check_only;

	log_init("meridian-dnsd", LOG_LEVEL_INFO);
	char err[512];
	if (!check && pid_file != NULL &&
	    daemon_pidfile_check(pid_file, "meridian-dnsd", err, sizeof(err)) != 0) {
		log_error("%s", err);
		return 1;
	}
	/* Block the signals we handle before loading (a SIGHUP sent while a big zone loads
	 * must not kill us) and before any thread exists, so only the signalfd sees them;
	 * a peer closing a TCP connection must never kill us either. */
	daemon_signals_t sig;
	if (daemon_signals_open(&sig, SIGUSR1) != 0) {
		log_error("signalfd: %s", strerror(errno));
		return 1;
	}
	char *errors = NULL;
	/* -t checks everything, the geo database compile included; a server answers while
	 * the tries compile (dnsd_reload_compile() below). */
	dnsd_reload_t *r = dnsd_reload_load(config, !check, &errors);
	if (r == NULL) {
		print_errors(errors);
		fprintf(stderr, "meridian-dnsd: %s: configuration check failed\n", config);
		free(errors);
		daemon_signals_close(&sig);
		return 1;
	}
	const conf_t *conf = dnsd_reload_conf(r);
	if (check) {
		printf("meridian-dnsd: %s: configuration OK (%zu zones, %zu geo records, %zu "
		       "datacenters)\n",
		       config, conf->dns.zone_count, conf->record_count, conf->datacenter_count);
		dnsd_reload_free(r);
		daemon_signals_close(&sig);
		return 0;
	}
	if (conf->log_level != NULL && log_level_parse(conf->log_level) >= 0)
		log_init("meridian-dnsd", (log_level_t)log_level_parse(conf->log_level));

	int status = 1;
	static dnsd_metrics_src_t msrc; /* what a scrape reads; filled once both exist */
	if (dnsd_reload_start(r) == 0) {
		const conf_sockaddr_t *addrs = listen.count ? listen.addrs : conf->dns.listen;
		size_t naddrs = listen.count ? listen.count : conf->dns.listen_count;
		fd_limit_raise(conf, naddrs);
		dnsd_server_t *server =
		    dnsd_server_start(addrs, naddrs, conf->dns.threads, err, sizeof(err));
		if (server == NULL) {
			log_error("cannot listen: %s", err);
		} else if (daemon_privdrop(conf->user, conf->group, err, sizeof(err)) < 0) {
			/* Bound (port 53 needs root or CAP_NET_BIND_SERVICE): now nothing more. */
			log_error("%s", err);
			dnsd_server_stop(server);
		} else if (pid_file != NULL &&
			   daemon_pidfile_write(pid_file, err, sizeof(err)) < 0) {
			log_error("%s", err);
			dnsd_server_stop(server);
		} else if (dnsd_reload_compile(r) < 0) {
			dnsd_server_stop(server);
			if (pid_file != NULL)
				daemon_pidfile_remove(pid_file);
		} else {
			metrics_server_t *metrics = NULL;
			msrc.server = server;
			msrc.reload = r;
			if (conf->metrics.has_dnsd)
				metrics = metrics_server_start(&conf->metrics.dnsd,
							       dnsd_metrics_render, &msrc, err,
							       sizeof(err));
			if (conf->metrics.has_dnsd && metrics == NULL) {
				log_error("%s", err);
			} else {
				/* Bound and the snapshot live: a service manager may start what needs us. */
				daemon_notify_ready("answering");
				status = control_loop(r, &sig, server, metrics);
				daemon_notify_stopping();
			}
			metrics_server_stop(metrics);
			dnsd_server_stop(server);
			if (pid_file != NULL)
				daemon_pidfile_remove(pid_file);
		}
	}
	dnsd_reload_free(r);
	daemon_signals_close(&sig);
	log_info("stopped");
	return status;
}
