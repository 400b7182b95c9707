/* SPDX-License-Identifier: MIT */
/* dnsd_main.c -- meridian-dnsd: command line, signals, start-up and shutdown */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/log.h"
#include "conf/conf.h"
#include "dnsd/dnsd_reload.h"
#include "dnsd/dnsd_server.h"

/* Threads: this (main) thread is the control thread. It owns the configuration, the
 * state.db connection and every snapshot build, and takes signals through a signalfd
 * (they are blocked in every thread, so workers never see them). The UDP workers and the
 * TCP loop only read published snapshots. */

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DNSD_DEFAULT_CONFIG SYSCONFDIR "/meridian/meridian.yaml"
#define DNSD_LISTEN_MAX 64

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: meridian-dnsd [-c FILE] [-t] [--listen ADDR:PORT]... [--pid-file FILE] [-f]\n"
	    "  -c, --config FILE     configuration file (default %s)\n"
	    "  -t, --check           check the configuration, zones and geo database; exit\n"
	    "      --listen ADDR:PORT  listen here instead of dns.listen (repeatable)\n"
	    "      --pid-file FILE   write the process id there once listening (for\n"
	    "                        meridianctl reload --pid-file); removed at exit\n"
	    "  -f, --foreground      run in the foreground (always; logs go to stderr)\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         print the version\n",
	    DNSD_DEFAULT_CONFIG);
}

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

/* Writes our pid to path (replacing a stale file). Returns 0 or -1 (logged). */
static int pid_file_write(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		log_error("pid file %s: %s", path, strerror(errno));
		return -1;
	}
	int written = fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || written < 0) {
		log_error("pid file %s: cannot write", path);
		return -1;
	}
	return 0;
}

/* Waits for signals and runs the control ticks until SIGTERM or SIGINT. */
static int control_loop(dnsd_reload_t *r, int sfd)
{
	struct pollfd pfd = {.fd = sfd, .events = POLLIN};
	for (;;) {
		int n = poll(&pfd, 1, (int)dnsd_reload_poll_ms(r));
		if (n < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			return 1;
		}
		if (n > 0) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					(void)dnsd_reload_config(r);
				} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
					log_info("%s received, shutting down",
						 si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
					return 0;
				}
			}
		}
		dnsd_reload_tick(r);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'}, {"check", no_argument, NULL, 't'},
	    {"listen", required_argument, NULL, 'l'}, {"pid-file", required_argument, NULL, 'P'},
	    {"foreground", no_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
	};
	const char *config = DNSD_DEFAULT_CONFIG;
	const char *pid_file = NULL;
	bool check = false;
	static conf_sockaddr_t listen[DNSD_LISTEN_MAX];
	size_t listen_count = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "c:tfhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'l':
			if (listen_count == DNSD_LISTEN_MAX) {
				fprintf(stderr, "meridian-dnsd: --listen: at most %d addresses\n",
					DNSD_LISTEN_MAX);
				return 1;
			}
			if (conf_sockaddr_parse(optarg, 53, &listen[listen_count]) < 0) {
				fprintf(stderr,
					"meridian-dnsd: --listen %s: not an address (ADDR:PORT, "
					"[ADDR6]:PORT)\n",
					optarg);
				return 1;
			}
			listen_count++;
			break;
		case 'P':
			pid_file = optarg;
			break;
		case 'f':
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("meridian-dnsd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "meridian-dnsd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}

	log_init("meridian-dnsd", LOG_LEVEL_INFO);
	/* Block the signals we handle before loading (a SIGHUP sent while a big zone loads
	 * must not kill us) and before any thread exists, so only the signalfd sees them;
	 * a peer closing a TCP connection must never kill us either. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
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
		close(sfd);
		return 1;
	}
	const conf_t *conf = dnsd_reload_conf(r);
	if (check) {
		printf("meridian-dnsd: %s: configuration OK (%zu zones, %zu geo records, %zu "
		       "datacenters)\n",
		       config, conf->dns.zone_count, conf->record_count, conf->datacenter_count);
		dnsd_reload_free(r);
		close(sfd);
		return 0;
	}
	if (conf->log_level != NULL && log_level_parse(conf->log_level) >= 0)
		log_init("meridian-dnsd", (log_level_t)log_level_parse(conf->log_level));

	int status = 1;
	if (dnsd_reload_start(r) == 0) {
		const conf_sockaddr_t *addrs = listen_count ? listen : conf->dns.listen;
		size_t naddrs = listen_count ? listen_count : conf->dns.listen_count;
		char err[512];
		fd_limit_raise(conf, naddrs);
		dnsd_server_t *server =
		    dnsd_server_start(addrs, naddrs, conf->dns.threads, err, sizeof(err));
		if (server == NULL) {
			log_error("cannot listen: %s", err);
		} else if (pid_file != NULL && pid_file_write(pid_file) < 0) {
			dnsd_server_stop(server);
		} else if (dnsd_reload_compile(r) < 0) {
			dnsd_server_stop(server);
			if (pid_file != NULL)
				(void)unlink(pid_file);
		} else {
			status = control_loop(r, sfd);
			dnsd_server_stop(server);
			if (pid_file != NULL)
				(void)unlink(pid_file);
		}
	}
	dnsd_reload_free(r);
	close(sfd);
	log_info("stopped");
	return status;
}
