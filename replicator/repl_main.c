/* SPDX-License-Identifier: MIT */
/* repl_main.c -- meridian-replicator: options, start-up, signals, reload */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/daemon_cli.h"
#include "base/daemon_pidfile.h"
#include "base/daemon_service.h"
#include "base/daemon_signal.h"
#include "base/log.h"
#include "conf/conf.h"
#include "metrics/metrics.h"
#include "replicator/repl_auth.h"
#include "replicator/repl_client.h"
#include "replicator/repl_compact.h"
#include "replicator/repl_drift.h"
#include "replicator/repl_http_server.h"
#include "replicator/repl_metrics.h"
#include "replicator/repl_stats.h"
#include "replicator/repl_watch.h"
#include "state/state.h"

#define PROGRAM "meridian-replicator"

/* Everything the daemon runs. Threads: main (signals), the watch poller, the HTTP
 * server's connection threads, the client loop. conf, key and client are replaced only
 * by main, on SIGHUP, while the client thread is stopped. */
typedef struct {
	conf_t *conf;		 /* the running configuration */
	repl_key_t key;		 /* the shared HMAC key of replication.key_file */
	repl_stats_t stats;	 /* counters served at /v1/stats */
	repl_watch_t *watch;	 /* follows state.db's data_version, wakes long polls */
	repl_http_server_t *server;	 /* NULL when replication.listen is unset */
	repl_client_t *client;	 /* pulls from every peer, on client_thread */
	pthread_t client_thread; /* runs the client; valid while client_running */
	bool client_running;	 /* client_thread was started and not yet joined */
	repl_compact_t compact;	 /* what compaction removed so far (client thread) */
	repl_drift_t drift; /* drift logged past replication.drift_grace (client thread) */
} daemon_t;

static int64_t wall_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Once a loop turn of the client, on its connection: drift, then compaction. */
static void client_tick(void *arg, state_t *st)
{
	daemon_t *d = arg;
	int64_t now = repl_monotonic_ms();

	repl_drift_tick(&d->drift, st, d->conf->replication.drift_grace_ms, now);
	repl_compact_tick(&d->compact, st, d->conf, d->server, &d->stats, now);
}

static void *client_main(void *arg)
{
	daemon_t *d = arg;
	if (repl_client_run(d->client) != 0)
		log_error("the pull client stopped");
	return NULL;
}

static int client_start(daemon_t *d)
{
	char err[256];
	d->client = repl_client_new(d->conf, &d->key, d->watch, &d->stats, err, sizeof(err));
	if (d->client == NULL) {
		log_error("%s", err);
		return -1;
	}
	repl_client_set_tick(d->client, client_tick, d);
	if (pthread_create(&d->client_thread, NULL, client_main, d) != 0) {
		log_error("cannot start the client thread");
		repl_client_free(d->client);
		d->client = NULL;
		return -1;
	}
	d->client_running = true;
	return 0;
}

static void client_end(daemon_t *d)
{
	if (!d->client_running || d->client == NULL)
		return;
	repl_client_stop(d->client);
	pthread_join(d->client_thread, NULL);
	repl_client_free(d->client);
	d->client = NULL;
	d->client_running = false;
}

static conf_t *load(const char *path, repl_key_t *key, bool print)
{
	char *errors = NULL, err[512];
	conf_t *conf = conf_load(path, &errors);
	if (conf == NULL) {
		if (print)
			fprintf(stderr, "%s", errors ? errors : "cannot load configuration\n");
		else
			log_error("configuration not loaded: %s", errors ? errors : path);
		free(errors);
		return NULL;
	}
	if (conf->replication.key_file == NULL) {
		snprintf(err, sizeof(err), "%s: replication.key_file: required by " PROGRAM, path);
		goto fail;
	}
	if (repl_key_load(conf->replication.key_file, key, err, sizeof(err)) != 0)
		goto fail;
	if (conf->replication.tls_cert != NULL && conf->replication.tls_key == NULL) {
		snprintf(err, sizeof(err), "%s: replication.tls_key: required with tls_cert", path);
		goto fail;
	}
	return conf;
fail:
	if (print)
		fprintf(stderr, "%s\n", err);
	else
		log_error("configuration not loaded: %s", err);
	conf_free(conf);
	return NULL;
}

static void reload(daemon_t *d)
{
	repl_key_t key;
	conf_t *conf = load(d->conf->path, &key, false);
	if (conf == NULL) {
		log_warn("SIGHUP: keeping the running configuration");
		return;
	}
	if (strcmp(conf->region, d->conf->region) != 0 ||
	    strcmp(conf->state_path, d->conf->state_path) != 0 ||
	    conf->replication.has_listen != d->conf->replication.has_listen ||
	    (conf->replication.has_listen &&
	     strcmp(conf->replication.listen.text, d->conf->replication.listen.text) != 0))
		log_warn(
		    "SIGHUP: region, state and replication.listen changes need a restart; ignored");
	client_end(d);
	conf_t *old = d->conf;
	d->conf = conf;
	d->key = key;
	if (d->server != NULL)
		repl_http_server_reload(d->server, conf, &key);
	int level = log_level_parse(conf->log_level ? conf->log_level : "info");
	log_init(PROGRAM, level < 0 ? LOG_LEVEL_INFO : (log_level_t)level);
	conf_free(old);
	char err[512];
	state_t *st = state_open(conf->state_path, conf->region, err, sizeof(err));
	if (st != NULL) {
		repl_drift_record(st, conf);
		state_close(st);
	} else {
		log_warn("deployment: %s", err);
	}
	if (client_start(d) != 0)
		log_error("SIGHUP: the pull client did not restart");
	else
		log_info("reloaded %s: %zu peers", conf->path, conf->replication.peer_count);
}

int main(int argc, char **argv)
{
	static const daemon_cli_spec_t spec = {
	    .program = PROGRAM,
	    .check_doc = "check the configuration and load the key file, then exit: 0 valid, "
			 "1 with every problem",
	    .epilogue = "Logs go to stderr. SIGHUP reloads the configuration and the key, "
			"SIGUSR1 logs counters,\nSIGTERM/SIGINT stop.\n",
	};
	char err[512];
	daemon_cli_t cli;
	daemon_signals_t sig = {.fd = -1};
	bool pid_written = false;
	daemon_t d;

	memset(&d, 0, sizeof(d));
	int rc = daemon_cli_parse(&spec, argc, argv, &cli, stdout, stderr);
	if (rc != DAEMON_CLI_RUN)
		return rc;
	const char *path = cli.config_path;
	bool check_only = cli.check_only;
	repl_stats_init(&d.stats);
	d.conf = load(path, &d.key, true);
	if (d.conf == NULL)
		return 1;
	if (check_only) {
		printf("meridian-replicator: %s: configuration OK (%zu peer%s)\n", path,
		       d.conf->replication.peer_count, d.conf->replication.peer_count == 1 ? "" : "s");
		conf_free(d.conf);
		repl_stats_destroy(&d.stats);
		return 0;
	}
	int level = log_level_parse(d.conf->log_level ? d.conf->log_level : "info");
	log_init(PROGRAM, level < 0 ? LOG_LEVEL_INFO : (log_level_t)level);

	if (cli.pid_file != NULL &&
	    daemon_pidfile_check(cli.pid_file, PROGRAM, err, sizeof(err)) != 0) {
		log_error("%s", err);
		conf_free(d.conf);
		repl_stats_destroy(&d.stats);
		return 1;
	}
	/* Signals are taken by main through a signalfd; blocked before any thread exists, so
	 * every thread inherits the mask. */
	if (daemon_signals_open(&sig, SIGUSR1) != 0) {
		log_error("signalfd: %s", strerror(errno));
		conf_free(d.conf);
		repl_stats_destroy(&d.stats);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("curl_global_init failed");
		daemon_signals_close(&sig);
		conf_free(d.conf);
		repl_stats_destroy(&d.stats);
		return 1;
	}

	/* Create and migrate the store before the read-only connections open it. */
	int status = 1;
	metrics_server_t *metrics = NULL;
	static repl_metrics_src_t msrc; /* what /metrics and SIGUSR1 read */
	/* Created as root, the store would be root's: give it to the user we become. */
	if (daemon_privdrop_prepare(d.conf->state_path, d.conf->user, d.conf->group, err,
				    sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	state_t *st = state_open(d.conf->state_path, d.conf->region, err, sizeof(err));
	if (st == NULL) {
		log_error("%s", err);
		goto out;
	}
	repl_drift_record(st, d.conf);
	state_close(st);
	uint32_t poll_ms = d.conf->health.poll_ms ? d.conf->health.poll_ms : 20;
	d.watch =
	    repl_watch_start(d.conf->state_path, poll_ms < 10 ? poll_ms : 10, err, sizeof(err));
	if (d.watch == NULL) {
		log_error("%s", err);
		goto out;
	}
	if (d.conf->replication.has_listen) {
		d.server = repl_http_server_start(d.conf, &d.key, d.watch, &d.stats, err, sizeof(err));
		if (d.server == NULL) {
			log_error("%s", err);
			goto out;
		}
	}
	/* Bound: a start as root becomes the configured user before any peer is pulled. */
	if (daemon_privdrop(d.conf->user, d.conf->group, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	d.compact.compacted_ms = d.compact.retained_ms = repl_monotonic_ms();
	if (client_start(&d) != 0)
		goto out;
	log_info("region %s: serving on %s, pulling from %zu peers", d.conf->region,
		 d.server != NULL ? repl_http_server_address(d.server) : "(no listen)",
		 d.conf->replication.peer_count);
	if (cli.pid_file != NULL) {
		if (daemon_pidfile_write(cli.pid_file, err, sizeof(err)) != 0) {
			log_error("%s", err);
			goto out;
		}
		pid_written = true;
	}
	daemon_notify_ready("serving and pulling");

	/* /metrics and SIGUSR1 read the counters and, through a read-only connection of
	 * their own, the peers' rows; both on this thread. */
	msrc = (repl_metrics_src_t){.stats = &d.stats, .started_ms = wall_now_ms()};
	msrc.ro = state_open_readonly(d.conf->state_path, err, sizeof(err));
	if (msrc.ro == NULL)
		log_warn("metrics: peers not shown: %s", err);
	if (d.conf->metrics.has_replicator) {
		msrc.conf = d.conf;
		metrics = metrics_server_start(&d.conf->metrics.replicator, repl_metrics_render,
					       &msrc, err, sizeof(err));
		if (metrics == NULL) {
			log_error("%s", err);
			goto out;
		}
	}
	for (;;) {
		struct pollfd pfd[2] = {{.fd = sig.fd, .events = POLLIN},
					{.fd = metrics ? metrics_server_fd(metrics) : -1,
					 .events = POLLIN}};
		int signo;
		daemon_signal_t what;
		msrc.conf = d.conf; /* replaced by reload() */
		int n = poll(pfd, 2, metrics ? 1000 : -1);
		if (n < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			goto out;
		}
		if (metrics != NULL)
			metrics_server_run(metrics);
		if (!(pfd[0].revents & POLLIN))
			continue;
		what = daemon_signals_next(&sig, &signo);
		if (what == DAEMON_SIGNAL_RELOAD) {
			log_info("SIGHUP: reloading %s", d.conf->path);
			reload(&d);
		} else if (what == DAEMON_SIGNAL_OTHER && signo == SIGUSR1) {
			msrc.conf = d.conf;
			repl_metrics_log(&msrc);
		} else if (what == DAEMON_SIGNAL_STOP) {
			log_info("signal %d: shutting down", signo);
			break;
		}
	}
	daemon_notify_stopping();
	status = 0;
out:
	metrics_server_stop(metrics);
	state_close(msrc.ro);
	if (d.watch != NULL)
		repl_watch_shutdown(d.watch);
	client_end(&d);
	repl_http_server_stop(d.server);
	repl_watch_stop(d.watch);
	conf_free(d.conf);
	repl_drift_free(&d.drift);
	curl_global_cleanup();
	repl_stats_destroy(&d.stats);
	daemon_signals_close(&sig);
	if (pid_written)
		daemon_pidfile_remove(cli.pid_file);
	log_info(status == 0 ? "stopped" : "not started");
	return status;
}
