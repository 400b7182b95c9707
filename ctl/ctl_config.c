/* SPDX-License-Identifier: MIT */
/* ctl_config.c -- `meridianctl check` (validate the config) and `reload` (SIGHUP to dnsd) */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/daemon_cli.h"
#include "ctl/ctl_config.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"

#define DNSD_NAME "meridian-dnsd"
#define RELOAD_PIDS_MAX 16
/* Words of a /proc/PID/cmdline looked at for -c (a daemon takes a handful). */
#define CMDLINE_WORDS_MAX 256

int ctl_check_run(const ctl_args_t *args)
{
	char *errors = NULL;
	conf_t *conf = conf_load(args->config_path, &errors);

	if (args->json) {
		ctl_json_t j;

		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "config", args->config_path);
		ctl_json_kv_bool(&j, "ok", conf != NULL);
		ctl_json_key(&j, "errors");
		ctl_json_array_begin(&j);
		for (char *line = errors, *next; line != NULL && *line != '\0'; line = next) {
			next = strchr(line, '\n');
			if (next != NULL)
				*next++ = '\0';
			ctl_json_string(&j, line);
		}
		ctl_json_array_end(&j);
		if (conf != NULL) {
			ctl_json_kv_string(&j, "region", conf->region);
			ctl_json_kv_uint(&j, "zones", conf->dns.zone_count);
			ctl_json_kv_uint(&j, "datacenters", conf->datacenter_count);
			ctl_json_kv_uint(&j, "records", conf->record_count);
			ctl_json_kv_uint(&j, "peers", conf->replication.peer_count);
		}
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
	} else if (conf != NULL) {
		printf("%s: ok (region %s, %zu zones, %zu datacenters, %zu records, %zu peers)\n",
		       args->config_path, conf->region, conf->dns.zone_count,
		       conf->datacenter_count, conf->record_count, conf->replication.peer_count);
	} else {
		/* conf_load's lines already name file:line:col and the key path. */
		fprintf(stderr, "%s", errors != NULL ? errors : "meridianctl: config invalid\n");
		if (errors != NULL && errors[0] != '\0' && errors[strlen(errors) - 1] != '\n')
			fputc('\n', stderr);
	}
	free(errors);
	if (conf == NULL)
		return CTL_EXIT_FAIL;
	conf_free(conf);
	return CTL_EXIT_OK;
}

const char *ctl_cmdline_config(const char *cmdline, size_t len)
{
	const char *end = cmdline + len;
	const char *word = cmdline;
	char *argv[CMDLINE_WORDS_MAX];
	int argc = 0;
	const char *config = NULL;
	char err[DAEMON_CLI_ERR_MAX];

	while (word < end && argc < CMDLINE_WORDS_MAX) {
		size_t wlen = strnlen(word, (size_t)(end - word));

		if (wlen == (size_t)(end - word)) /* unterminated last word */
			return NULL;
		argv[argc++] = (char *)word;
		word += wlen + 1;
	}
	/* The daemons' own matcher, so every spelling they take is found; the last -c wins,
	 * as in daemon_cli_parse(). */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *value = NULL;

		if (daemon_cli_option_match(&daemon_cli_config_option, argc, argv, &i, &value, err,
					    sizeof(err)) == 1)
			config = value;
	}
	return config;
}

int ctl_pid_file_read(const char *path, pid_t *pid, char *err, size_t errlen)
{
	char text[32];
	long value;
	char *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open pid file %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read pid file %s: %s", path, strerror(errno));
		return -1;
	}
	text[n] = '\0';
	errno = 0;
	value = strtol(text, &end, 10);
	if (end == text || (*end != '\0' && strcmp(end, "\n") != 0) || errno != 0 || value <= 1 ||
	    value > INT_MAX) {
		snprintf(err, errlen, "pid file %s does not hold a process id", path);
		return -1;
	}
	*pid = (pid_t)value;
	return 0;
}

/* Reads /proc/PID/<what> into buf; returns the bytes read or -1. */
static ssize_t proc_read(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

static bool process_is_dnsd(pid_t pid)
{
	char comm[32];
	ssize_t n = proc_read(pid, "comm", comm, sizeof(comm) - 1);

	if (n <= 0)
		return false;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, DNSD_NAME) == 0;
}

/* Does process pid run with the config at want (a realpath)? Its -c is resolved against
 * its own working directory; without -c it uses the default path. */
static bool process_uses_config(pid_t pid, const char *want)
{
	char cmdline[8192], path[PATH_MAX + 64], resolved[PATH_MAX];
	const char *config;
	ssize_t n;

	n = proc_read(pid, "cmdline", cmdline, sizeof(cmdline));
	if (n <= 0)
		return false;
	config = ctl_cmdline_config(cmdline, (size_t)n);
	if (config == NULL)
		config = CTL_DEFAULT_CONFIG;
	if (config[0] == '/')
		snprintf(path, sizeof(path), "%s", config);
	else
		snprintf(path, sizeof(path), "/proc/%ld/cwd/%s", (long)pid, config);
	if (realpath(path, resolved) == NULL)
		return false;
	return strcmp(resolved, want) == 0;
}

/* Finds the meridian-dnsd processes serving the config at want. Returns how many were
 * found (at most max), and in *others how many dnsd processes use another config. */
static size_t dnsd_find(const char *want, pid_t *pids, size_t max, size_t *others)
{
	struct dirent *de;
	size_t found = 0;
	DIR *dir;

	*others = 0;
	dir = opendir("/proc");
	if (dir == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL && found < max) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || pid <= 1 || pid == (long)getpid() ||
		    !process_is_dnsd((pid_t)pid))
			continue;
		if (process_uses_config((pid_t)pid, want))
			pids[found++] = (pid_t)pid;
		else
			(*others)++;
	}
	closedir(dir);
	return found;
}

int ctl_reload_run(const ctl_args_t *args, const conf_t *conf)
{
	char want[PATH_MAX], err[512];
	pid_t pids[RELOAD_PIDS_MAX];
	size_t count = 0, others = 0, signalled = 0;

	if (args->pid_file != NULL) {
		if (ctl_pid_file_read(args->pid_file, &pids[0], err, sizeof(err)) != 0) {
			ctl_error("reload: %s", err);
			return CTL_EXIT_FAIL;
		}
		/* A stale pid file may name a recycled pid: never signal a stranger. */
		if (!process_is_dnsd(pids[0])) {
			ctl_error("reload: process %ld from %s is not %s (stale pid file?)",
				  (long)pids[0], args->pid_file, DNSD_NAME);
			return CTL_EXIT_FAIL;
		}
		count = 1;
	} else {
		if (realpath(conf->path, want) == NULL) {
			ctl_error("reload: cannot resolve %s: %s", conf->path, strerror(errno));
			return CTL_EXIT_FAIL;
		}
		count = dnsd_find(want, pids, RELOAD_PIDS_MAX, &others);
		if (count == 0) {
			ctl_error("reload: no %s is running with config %s%s", DNSD_NAME, want,
				  others > 0 ? " (some run with other configs; use --pid-file)"
					     : "");
			return CTL_EXIT_FAIL;
		}
	}
	for (size_t i = 0; i < count; i++) {
		if (kill(pids[i], SIGHUP) != 0) {
			ctl_error("reload: cannot signal %s (pid %ld): %s", DNSD_NAME,
				  (long)pids[i], strerror(errno));
			continue;
		}
		signalled++;
		if (!args->json)
			printf("sent SIGHUP to %s (pid %ld)\n", DNSD_NAME, (long)pids[i]);
	}
	if (args->json) {
		ctl_json_t j;

		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_bool(&j, "ok", signalled == count);
		ctl_json_key(&j, "pids");
		ctl_json_array_begin(&j);
		for (size_t i = 0; i < count; i++)
			ctl_json_int(&j, pids[i]);
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
	}
	return signalled == count ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}
