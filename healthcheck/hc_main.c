/* SPDX-License-Identifier: MIT */
/* hc_main.c -- meridian-healthcheck: probes this region's view of every datacenter */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "base/daemon_cli.h"
#include "base/daemon_pidfile.h"
#include "base/daemon_service.h"
#include "base/daemon_signal.h"
#include "base/log.h"
#include "conf/conf.h"
#include "conf/conf_canon.h"
#include "healthcheck/hc_contain.h"
#include "healthcheck/hc_load.h"
#include "healthcheck/hc_loop.h"
#include "healthcheck/hc_monitor.h"
#include "healthcheck/hc_probe.h"
#include "healthcheck/hc_status.h"
#include "healthcheck/hc_writer.h"
#include "metrics/metrics.h"
#include "state/state_deploy.h"
#include "state/state.h"

/* The daemon: one loop thread runs every probe; signals arrive through a signalfd in the
 * loop, so a reload or a stop happens between handlers, never inside one. Observations
 * go through a queue to the writer thread (hc_writer.c), so a slow commit or a WAL
 * checkpoint never delays a probe. */
typedef struct {
	const char *conf_path; /* -c */
	const char *pid_file;  /* --pid-file, or NULL */
	bool pid_written;      /* pid_file holds our pid: remove it at exit */
	conf_t *conf;	       /* current config; the monitor points into it */
	state_t *state;	       /* this region's store: reads on the loop thread */
	hc_writer_t *writer;   /* writes, on their own thread and connection */
	hc_loop_t *loop;       /* the one event loop: probes, timers, signals */
	hc_monitor_t *monitor; /* checks and verdicts of this config */
	hc_loads_t *loads;     /* live load reads of this config (datacenters.NAME.load) */
	daemon_signals_t sig;  /* SIGTERM, SIGINT, SIGHUP, SIGUSR1 */
	bool stop;	       /* SIGTERM/SIGINT seen */
	bool reload;	       /* SIGHUP seen */
	bool dump_stats;       /* SIGUSR1 seen */
	metrics_server_t *metrics; /* /metrics, driven by the loop; NULL when off */
	hc_status_t *status;	   /* the status tables' thread; NULL when it did not start */
} hc_daemon_t;

static int publish_observation(void *arg, const state_observation_t *obs)
{
	hc_daemon_t *d = arg;
	if (hc_writer_put(d->writer, obs) != 0) {
		log_error("state: no memory to queue the observation of %s", obs->datacenter);
		return -1;
	}
	return 0;
}

/* This region's observations as they stand in the store (a restart keeps them). */
static int known_observations(hc_daemon_t *d, state_observation_t **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (state_observations_list(d->state, out, count) != 0) {
		log_error("state: listing observations: %s", state_errmsg(d->state));
		return -1;
	}
	/* and of each checked address (datacenters.NAME.address_checks) */
	state_observation_t *addr = NULL, *all;
	size_t n = 0;
	if (state_address_observations_list(d->state, &addr, &n) != 0) {
		log_error("state: listing address observations: %s", state_errmsg(d->state));
		free(*out);
		*out = NULL;
		return -1;
	}
	if (n == 0)
		return 0;
	all = realloc(*out, (*count + n) * sizeof(*all));
	if (all == NULL) {
		log_error("state: no memory for the address observations");
		free(addr);
		free(*out);
		*out = NULL;
		return -1;
	}
	memcpy(all + *count, addr, n * sizeof(*all));
	free(addr);
	*out = all;
	*count += n;
	return 0;
}

static void on_signal(void *arg, int fd, uint32_t events)
{
	hc_daemon_t *d = arg;
	daemon_signal_t what;
	int signo;
	(void)fd;
	(void)events;
	while ((what = daemon_signals_next(&d->sig, &signo)) != DAEMON_SIGNAL_NONE) {
		if (what == DAEMON_SIGNAL_STOP)
			d->stop = true;
		else if (what == DAEMON_SIGNAL_RELOAD)
			d->reload = true;
		else if (signo == SIGUSR1)
			d->dump_stats = true;
	}
}

/* A scrape, on the loop thread: the monitor's counters and the writer's. */
static void render_metrics(void *arg, metrics_page_t *p)
{
	const hc_daemon_t *d = arg;
	hc_monitor_metrics(d->monitor, p);
	uint64_t written, failed;
	size_t queued;
	hc_writer_counts(d->writer, &written, &failed, &queued);
	metrics_family(p, "meridian_healthcheck_observations_written_total", METRICS_COUNTER,
		       "Observations committed to state.db, by result.");
	metrics_u64(p, "meridian_healthcheck_observations_written_total", written, "result", "ok",
		    NULL);
	metrics_u64(p, "meridian_healthcheck_observations_written_total", failed, "result",
		    "failed", NULL);
	metrics_family(p, "meridian_healthcheck_observations_queued", METRICS_GAUGE,
		       "Observations waiting for the writer thread.");
	metrics_u64(p, "meridian_healthcheck_observations_queued", queued, NULL);
	hc_writer_load_counts(d->writer, &written, &failed);
	metrics_family(p, "meridian_healthcheck_loads_written_total", METRICS_COUNTER,
		       "Live load readings committed to state.db, by result.");
	metrics_u64(p, "meridian_healthcheck_loads_written_total", written, "result", "ok", NULL);
	metrics_u64(p, "meridian_healthcheck_loads_written_total", failed, "result", "failed",
		    NULL);
	if (d->loads != NULL)
		hc_loads_metrics(d->loads, p);
}

static void on_metrics(void *arg, int fd, uint32_t events)
{
	hc_daemon_t *d = arg;
	(void)fd, (void)events;
	metrics_server_run(d->metrics);
}

static void log_stats(const hc_daemon_t *d)
{
	hc_monitor_stats_t s;
	hc_monitor_stats(d->monitor, &s);
	uint64_t written, failed;
	size_t queued;
	hc_writer_counts(d->writer, &written, &failed, &queued);
	log_info(
	    "stats: %zu datacenters, %zu checks, %llu probes (%llu failed), %llu late, "
	    "max start delay %lld ms, %llu observations written (%llu failed writes, %zu queued), "
	    "%llu exec leftovers killed",
	    s.datacenters, s.checks, (unsigned long long)s.probes, (unsigned long long)s.failures,
	    (unsigned long long)s.late_probes, (long long)s.max_late_ms,
	    (unsigned long long)written, (unsigned long long)failed, queued,
	    (unsigned long long)hc_contain_killed());
}

/* Records the config this process runs (state_deploy.h), at start and at each reload;
 * a failure is logged and changes nothing else. */
static void record_deployment(hc_daemon_t *d)
{
	state_deployment_t dep;
	char err[256];
	if (state_deployment_init(&dep, d->conf->region, "healthcheck",
				  conf_canonical_json(d->conf), err, sizeof(err)) < 0) {
		log_warn("deployment: %s", err);
		return;
	}
	if (state_deployment_put(d->state, &dep) < 0)
		log_warn("deployment: cannot record what this region runs: %s",
			 state_errmsg(d->state));
	state_deployment_clear(&dep);
}

/* SIGHUP: a new config means a new check set. Checks whose settings did not change keep
 * their rise/fall state and schedule; datacenters keep their state. A bad file changes
 * nothing. The store and region are fixed for the life of the process. */
static void reload(hc_daemon_t *d)
{
	char *errors = NULL;
	conf_t *conf = conf_load(d->conf_path, &errors);
	if (conf == NULL) {
		log_error("reload of %s refused, keeping the running config: %s", d->conf_path,
			  errors ? errors : "unknown error");
		free(errors);
		return;
	}
	if (strcmp(conf->region, d->conf->region) != 0 ||
	    strcmp(conf->state_path, d->conf->state_path) != 0) {
		log_error("reload of %s refused: region and state cannot change without a restart",
			  d->conf_path);
		conf_free(conf);
		return;
	}
	state_observation_t *known = NULL;
	size_t known_count = 0;
	if (known_observations(d, &known, &known_count) != 0) {
		conf_free(conf);
		return;
	}
	hc_monitor_t *mon =
	    hc_monitor_new(d->loop, conf, d->monitor, known, known_count, publish_observation, d);
	free(known);
	if (mon == NULL) {
		log_error("reload of %s failed: out of memory; keeping the running config",
			  d->conf_path);
		conf_free(conf);
		return;
	}
	hc_loads_t *loads = hc_loads_new(d->loop, conf, hc_writer_put_load, d->writer);
	if (loads == NULL) {
		log_error("reload of %s failed: out of memory; keeping the running config",
			  d->conf_path);
		hc_monitor_free(mon);
		conf_free(conf);
		return;
	}
	/* Load readers start afresh: a reading is cheap, and the first is always written. */
	hc_loads_free(d->loads);
	hc_monitor_free(d->monitor);
	conf_free(d->conf);
	d->monitor = mon;
	d->loads = loads;
	d->conf = conf;
	hc_monitor_start(mon);
	hc_loads_start(loads);
	hc_monitor_stats_t s;
	hc_monitor_stats(mon, &s);
	log_info("reloaded %s: %zu datacenters with %zu checks", d->conf_path, s.datacenters,
		 s.checks);
	record_deployment(d);
}

static int run(hc_daemon_t *d)
{
	char err[256];
	/* Blocked before any thread exists (the writer, curl's resolver threads inherit the
	 * mask), so the signalfd is the only way in and no thread dies of a default action. */
	if (daemon_signals_open(&d->sig, SIGUSR1) != 0) {
		log_error("signals: %s", strerror(errno));
		return 1;
	}
	/* No socket to bind: a start as root becomes the configured user before the store
	 * is opened (and created, as that user's). */
	if (daemon_privdrop(d->conf->user, d->conf->group, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	/* Processes an exec probe leaves behind, in whatever session, become ours to kill. */
	if (hc_contain_init() != 0)
		log_warn("exec probes: cannot become a child subreaper (%s); processes a probe "
			 "moves to a new session may outlive it", strerror(errno));
	d->state = state_open(d->conf->state_path, d->conf->region, err, sizeof(err));
	if (d->state == NULL) {
		log_error("state: %s", err);
		return 1;
	}
	state_t *wst = state_open(d->conf->state_path, d->conf->region, err, sizeof(err));
	if (wst == NULL) {
		log_error("state: %s", err);
		return 1;
	}
	d->writer = hc_writer_start(wst);
	if (d->writer == NULL) {
		log_error("state: cannot start the writer thread");
		state_close(wst);
		return 1;
	}
	d->loop = hc_loop_new();
	if (d->loop == NULL) {
		log_error("event loop: %s", strerror(errno));
		return 1;
	}
	if (hc_loop_io_set(d->loop, d->sig.fd, EPOLLIN, on_signal, d) != 0) {
		log_error("signals: %s", strerror(errno));
		return 1;
	}
	state_observation_t *known = NULL;
	size_t known_count = 0;
	if (known_observations(d, &known, &known_count) != 0)
		return 1;
	d->monitor =
	    hc_monitor_new(d->loop, d->conf, NULL, known, known_count, publish_observation, d);
	free(known);
	if (d->monitor == NULL) {
		log_error("out of memory building the check set");
		return 1;
	}
	hc_monitor_stats_t s;
	hc_monitor_stats(d->monitor, &s);
	log_info("started: region %s, %zu datacenters with %zu checks, state %s", d->conf->region,
		 s.datacenters, s.checks, d->conf->state_path);
	hc_monitor_start(d->monitor);
	d->loads = hc_loads_new(d->loop, d->conf, hc_writer_put_load, d->writer);
	if (d->loads == NULL) {
		log_error("out of memory building the load readers");
		return 1;
	}
	hc_loads_start(d->loads);
	d->status = hc_status_start(d->conf_path);
	if (d->conf->metrics.has_healthcheck) {
		d->metrics = metrics_server_start(&d->conf->metrics.healthcheck, render_metrics, d,
						  err, sizeof(err));
		if (d->metrics == NULL ||
		    hc_loop_io_set(d->loop, metrics_server_fd(d->metrics), EPOLLIN, on_metrics, d) !=
			0) {
			log_error("%s", d->metrics ? strerror(errno) : err);
			return 1;
		}
	}
	record_deployment(d);
	if (d->pid_file != NULL) {
		if (daemon_pidfile_write(d->pid_file, err, sizeof(err)) != 0) {
			log_error("%s", err);
			return 1;
		}
		d->pid_written = true;
	}
	daemon_notify_ready("checking");
	while (!d->stop) {
		if (hc_loop_run_once(d->loop, 1000) != 0) {
			log_error("event loop: %s", strerror(errno));
			return 1;
		}
		hc_probe_reap_orphans();
		(void)hc_contain_sweep(hc_loop_now());
		if (d->metrics != NULL)
			metrics_server_run(d->metrics); /* idle connections time out */
		if (d->reload) {
			d->reload = false;
			reload(d);
			if (d->status != NULL)
				hc_status_reload(d->status);
		}
		if (d->dump_stats) {
			d->dump_stats = false;
			log_stats(d);
		}
	}
	daemon_notify_stopping();
	log_stats(d);
	log_info("stopping on signal");
	return 0;
}

int main(int argc, char **argv)
{
	static const daemon_cli_spec_t spec = {
	    .program = "meridian-healthcheck",
	    .epilogue = "Logs go to stderr. SIGHUP reloads the configuration, SIGUSR1 logs "
			"counters,\nSIGTERM/SIGINT stop.\n",
	};
	hc_daemon_t d = {.sig = {.fd = -1}};
	daemon_cli_t cli;
	int rc = daemon_cli_parse(&spec, argc, argv, &cli, stdout, stderr);
	if (rc != DAEMON_CLI_RUN)
		return rc;
	d.conf_path = cli.config_path;
	d.pid_file = cli.pid_file;
	bool test_only = cli.check_only;
	log_init("meridian-healthcheck", LOG_LEVEL_INFO);
	char *errors = NULL;
	d.conf = conf_load(d.conf_path, &errors);
	if (d.conf == NULL) {
		fprintf(stderr, "%s", errors ? errors : "configuration could not be read\n");
		if (errors != NULL && errors[0] != '\0' && errors[strlen(errors) - 1] != '\n')
			fputc('\n', stderr);
		free(errors);
		return 1;
	}
	if (test_only) {
		printf("meridian-healthcheck: %s: configuration OK (%zu datacenter%s)\n", d.conf_path,
		       d.conf->datacenter_count, d.conf->datacenter_count == 1 ? "" : "s");
		conf_free(d.conf);
		return 0;
	}
	int level = d.conf->log_level ? log_level_parse(d.conf->log_level) : (int)LOG_LEVEL_INFO;
	log_init("meridian-healthcheck", level < 0 ? LOG_LEVEL_INFO : (log_level_t)level);
	char err[512];
	if (d.pid_file != NULL &&
	    daemon_pidfile_check(d.pid_file, spec.program, err, sizeof(err)) != 0) {
		log_error("%s", err);
		conf_free(d.conf);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("curl_global_init failed");
		conf_free(d.conf);
		return 1;
	}
	rc = run(&d);
	hc_status_stop(d.status);
	if (d.metrics != NULL && d.loop != NULL)
		hc_loop_io_del(d.loop, metrics_server_fd(d.metrics));
	metrics_server_stop(d.metrics);
	hc_loads_free(d.loads);
	hc_monitor_free(d.monitor);
	hc_writer_stop(d.writer); /* writes what is queued first */
	if (d.sig.fd >= 0 && d.loop != NULL)
		hc_loop_io_del(d.loop, d.sig.fd);
	daemon_signals_close(&d.sig);
	if (d.pid_written)
		daemon_pidfile_remove(d.pid_file);
	hc_loop_free(d.loop);
	state_close(d.state);
	conf_free(d.conf);
	curl_global_cleanup();
	hc_contain_fini();
	return rc;
}
