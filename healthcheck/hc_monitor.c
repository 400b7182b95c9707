/* SPDX-License-Identifier: MIT */
/* hc_monitor.c -- every check of every datacenter on one loop: schedule, decide, publish */
#include "config.h"
#include "healthcheck/hc_monitor.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "healthcheck/hc_health.h"
#include "healthcheck/hc_probe.h"

#define HC_LABEL_MAX 96
#define HC_LATE_MS 100	 /* a run starting later than this after its due time is late */
#define HC_RETRY_MS 1000 /* retry of a failed observation write */

typedef struct hc_dc hc_dc_t;

/* One check of one datacenter at run time. */
typedef struct {
	hc_dc_t *dc;		  /* owner */
	size_t index;		  /* position in the datacenter's checks */
	const conf_check_t *conf; /* its settings (in the monitor's conf) */
	char *key;		  /* every setting as text: equal keys mean an unchanged check */
	char label[2 * HC_LABEL_MAX]; /* "us-east[0] http://127.0.0.1:8080/healthz",
				       * "us-east/192.0.2.1[0] tcp ..." for logs */
	hc_probe_t probe;	  /* the run slot */
	hc_hysteresis_t hyst;	  /* rise/fall state */
	hc_timer_t next;	  /* next run */
	int64_t due_ms;		  /* monotonic ms the next run is due */
	hc_result_t last;	  /* last result */
	bool has_result;	  /* last is filled */
	hc_result_t decisive;	  /* last result that agreed with the check's state: the
				   * reason a heartbeat gives while results are mixed */
	bool has_decisive;	  /* decisive is filled */
	uint64_t runs_ok;	  /* runs that succeeded, since the check was built */
	uint64_t runs_failed;	  /* runs that failed, since the check was built */
} hc_check_rt_t;

/* One datacenter with checks, or one checked address of a datacenter (address set):
 * each judged on its own, with its own observations. */
struct hc_dc {
	hc_monitor_t *mon; /* the monitor it belongs to */
	const conf_datacenter_t *conf; /* its configuration (owned by the monitor's conf) */
	char address[STATE_ADDRESS_MAX]; /* the address judged, "" for the datacenter itself */
	char name[HC_LABEL_MAX];	 /* for logs: "us-east", "us-east address 192.0.2.1" */
	const conf_check_t *check_confs; /* its checks: conf->checks, or the address's one */
	size_t check_count;		 /* entries in check_confs and checks */
	state_health_t pending;		 /* the transition last published (UNKNOWN: none) */
	hc_check_rt_t *checks; /* check_count entries */
	state_health_t state;  /* what this region says about it */
	int64_t since_ms;      /* wall ms the state began (kept across restarts) */
	bool announced;	       /* an observation for the current state was written */
	bool confirmed;	       /* this process's probes have decided the state (a state
				* kept from before a restart is not confirmed yet) */
	hc_timer_t heartbeat;  /* next periodic (or retried) observation write */
	metrics_histogram_t latency; /* probe durations of every check, seconds */
	uint64_t transitions[4];     /* changes of state, by the state entered (state_health_t) */
};

struct hc_monitor {
	hc_loop_t *loop; /* the loop probes and timers run on */
	const conf_t *conf; /* the configuration the checks come from */
	hc_dc_t *dcs; /* datacenters with checks, in file order */
	size_t dc_count; /* entries in dcs */
	hc_publish_fn publish; /* called with every observation to write */
	void *publish_arg; /* passed to publish */
	int64_t (*wall_ms)(void); /* wall clock, ms since epoch (tests replace it) */
	uint64_t rng;	      /* xorshift64 state for start jitter */
	int64_t heartbeat_ms; /* period of heartbeats: stale_after / 3 */
	hc_monitor_stats_t stats; /* probe counts since start */
};

static uint64_t rng_next(hc_monitor_t *mon)
{
	uint64_t x = mon->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	mon->rng = x;
	return x;
}

/* ---- identity of a check across reloads ---- */

static char *check_key(const conf_check_t *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	fprintf(f, "%d|%s|%s|", (int)c->type, c->url ? c->url : "", c->address.text);
	for (size_t i = 0; i < c->expect_count && i < M_ARRAY_LEN(c->expect); i++)
		fprintf(f, "%u-%u,", c->expect[i].low, c->expect[i].high);
	fprintf(f, "|%s|%s|%s|%d|%s|%u|%d|", c->body_contains ? c->body_contains : "",
		c->host_header ? c->host_header : "", c->sni ? c->sni : "", (int)c->verify_tls,
		c->dns_qname ? c->dns_qname : "", c->dns_qtype, c->dns_expect_rcode);
	for (size_t i = 0; i < c->dns_answer_count; i++) {
		fprintf(f, "%d:", c->dns_answer[i].family);
		for (size_t b = 0; b < sizeof(c->dns_answer[i].bytes); b++)
			fprintf(f, "%02x", c->dns_answer[i].bytes[b]);
		fputc(',', f);
	}
	fputc('|', f);
	for (char **a = c->exec_argv; a != NULL && *a != NULL; a++)
		fprintf(f, "%zu:%s", strlen(*a), *a);
	fprintf(f, "|%u|%u|%u|%u|%u|%u|%u", c->interval_ms, c->fast_interval_ms, c->timeout_ms,
		c->connect_timeout_ms, c->jitter_ms, c->fall, c->rise);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void check_label(hc_check_rt_t *ck)
{
	const conf_check_t *c = ck->conf;
	char dc[STATE_NAME_MAX + STATE_ADDRESS_MAX]; /* "us-east", "us-east/192.0.2.1" */
	if (ck->dc->address[0] != '\0')
		snprintf(dc, sizeof(dc), "%.63s/%.47s", ck->dc->conf->name, ck->dc->address);
	else
		snprintf(dc, sizeof(dc), "%.63s", ck->dc->conf->name);
	switch (c->type) {
	case CONF_CHECK_HTTP:
	case CONF_CHECK_HTTPS:
		snprintf(ck->label, sizeof(ck->label), "%s[%zu] %s", dc, ck->index,
			 c->url ? c->url : "?");
		break;
	case CONF_CHECK_TCP:
		snprintf(ck->label, sizeof(ck->label), "%s[%zu] tcp %s", dc, ck->index,
			 c->address.text);
		break;
	case CONF_CHECK_DNS:
		snprintf(ck->label, sizeof(ck->label), "%s[%zu] dns %s", dc, ck->index,
			 c->address.text);
		break;
	case CONF_CHECK_EXEC:
		snprintf(ck->label, sizeof(ck->label), "%s[%zu] exec %s", dc, ck->index,
			 c->exec_argv && c->exec_argv[0] ? c->exec_argv[0] : "?");
		break;
	}
}

/* ---- observations ---- */

/* Why the datacenter is in its state: the reason of a check that agrees with it (the
 * first such check in file order), prefixed by the check's index when there are several. */
static void dc_detail(const hc_dc_t *dc, char *out, size_t outlen, int32_t *latency)
{
	*latency = -1;
	snprintf(out, outlen, "%s", dc->state == STATE_HEALTH_UNKNOWN ? "no probe result yet" : "");
	/* Best: a check in the datacenter's state, with the result that put it there (a
	 * down datacenter whose check just had one success still says why it is down).
	 * Else: the latest result of any check. */
	const hc_check_rt_t *pick = NULL;
	const hc_result_t *why = NULL;
	for (size_t i = 0; i < dc->check_count && why == NULL; i++) {
		const hc_check_rt_t *ck = &dc->checks[i];
		if (dc->state != STATE_HEALTH_UNKNOWN && ck->hyst.state == dc->state &&
		    ck->has_decisive) {
			pick = ck;
			why = &ck->decisive;
		}
	}
	for (size_t i = 0; i < dc->check_count && why == NULL; i++) {
		const hc_check_rt_t *ck = &dc->checks[i];
		if (ck->has_result) {
			pick = ck;
			why = &ck->last;
		}
	}
	if (why == NULL) {
		if (dc->state != STATE_HEALTH_UNKNOWN)
			snprintf(out, outlen, "kept from before restart");
		return;
	}
	*latency = why->latency_ms;
	if (dc->check_count > 1)
		snprintf(out, outlen, "check %zu: %s", pick->index, why->reason);
	else
		snprintf(out, outlen, "%s", why->reason);
}

/* Where the checks' rise/fall counters are heading: the state the unit takes if every
 * check with a streak against its state completes it (UNKNOWN: no change coming), and
 * the earliest that can happen, ms (probes run at fast_interval meanwhile). The
 * dissenting check's result goes to why. Answers use it to shorten their TTL
 * (state_verdict_addr.c). */
static state_health_t dc_pending(const hc_dc_t *dc, int32_t *change_in_ms,
				 const hc_result_t **why)
{
	state_health_t states[64];
	int64_t latest = 0;
	bool any = false;

	*change_in_ms = 0;
	*why = NULL;
	if (dc->state == STATE_HEALTH_UNKNOWN || dc->check_count > M_ARRAY_LEN(states))
		return STATE_HEALTH_UNKNOWN;
	for (size_t i = 0; i < dc->check_count; i++) {
		const hc_check_rt_t *ck = &dc->checks[i];
		const conf_check_t *c = ck->conf;
		uint32_t every = c->fast_interval_ms ? c->fast_interval_ms : c->interval_ms;
		states[i] = ck->hyst.state;
		if (ck->hyst.failures > 0 && ck->hyst.state != STATE_HEALTH_DOWN) {
			states[i] = STATE_HEALTH_DOWN;
			latest = (int64_t)(c->fall - ck->hyst.failures) * every > latest
				     ? (int64_t)(c->fall - ck->hyst.failures) * every
				     : latest;
		} else if (ck->hyst.successes > 0 && ck->hyst.state != STATE_HEALTH_UP) {
			states[i] = STATE_HEALTH_UP;
			latest = (int64_t)(c->rise - ck->hyst.successes) * every > latest
				     ? (int64_t)(c->rise - ck->hyst.successes) * every
				     : latest;
		} else {
			continue;
		}
		any = true;
		if (*why == NULL && ck->has_result)
			*why = &ck->last;
	}
	if (!any)
		return STATE_HEALTH_UNKNOWN;
	state_health_t to =
	    dc->address[0] != '\0'
		? hc_rule_apply(CONF_CHECK_RULE_ALL, 0, states, dc->check_count)
		: hc_rule_apply(dc->conf->check_rule, dc->conf->check_percent, states,
				dc->check_count);
	if (to == STATE_HEALTH_UNKNOWN || to == dc->state)
		return STATE_HEALTH_UNKNOWN;
	*change_in_ms = (int32_t)(latest < INT32_MAX ? latest : INT32_MAX);
	return to;
}

static void dc_publish(hc_dc_t *dc)
{
	hc_monitor_t *mon = dc->mon;
	state_observation_t obs;
	const hc_result_t *why;
	memset(&obs, 0, sizeof(obs));
	snprintf(obs.checker, sizeof(obs.checker), "%s", mon->conf->region);
	snprintf(obs.datacenter, sizeof(obs.datacenter), "%s", dc->conf->name);
	snprintf(obs.address, sizeof(obs.address), "%s", dc->address);
	obs.status = dc->state;
	obs.since_ms = dc->since_ms;
	obs.checked_ms = mon->wall_ms();
	dc_detail(dc, obs.detail, sizeof(obs.detail), &obs.latency_ms);
	obs.pending = dc_pending(dc, &obs.change_in_ms, &why);
	/* failing while up: the failure is the news; recovering keeps the down reason */
	if (obs.pending == STATE_HEALTH_DOWN && why != NULL)
		snprintf(obs.detail, sizeof(obs.detail), "%s", why->reason);
	dc->pending = obs.pending;
	int64_t next = mon->heartbeat_ms;
	if (mon->publish(mon->publish_arg, &obs) != 0) {
		mon->stats.publish_errors++;
		log_error("%s: observation not written; retrying in %d ms", dc->name,
			  HC_RETRY_MS);
		next = HC_RETRY_MS;
	} else {
		mon->stats.publishes++;
		dc->announced = true;
	}
	hc_timer_arm(mon->loop, &dc->heartbeat, hc_loop_now() + next);
}

static void dc_heartbeat(void *arg)
{
	dc_publish(arg);
}

static void dc_reconsider(hc_dc_t *dc)
{
	state_health_t states[64] = {STATE_HEALTH_UNKNOWN};
	state_health_t *st = dc->check_count <= M_ARRAY_LEN(states)
				 ? states
				 : malloc(dc->check_count * sizeof(*st));
	if (st == NULL)
		return;
	for (size_t i = 0; i < dc->check_count; i++)
		st[i] = dc->checks[i].hyst.state;
	/* an address has one check: the rule is the datacenter's */
	state_health_t verdict =
	    dc->address[0] != '\0'
		? hc_rule_apply(CONF_CHECK_RULE_ALL, 0, st, dc->check_count)
		: hc_rule_apply(dc->conf->check_rule, dc->conf->check_percent, st, dc->check_count);
	if (st != states)
		free(st);
	/* UNKNOWN means "not decided yet": the last known state stands until it is. */
	if (verdict == STATE_HEALTH_UNKNOWN)
		return;
	if (verdict == dc->state) {
		/* Probes agree with the state kept over a restart: say so now rather than at
		 * the next heartbeat, so that an old observation becomes fresh at once. */
		if (!dc->confirmed) {
			dc->confirmed = true;
			log_info("%s: probes confirm %s", dc->name,
				 hc_health_name(verdict));
			dc_publish(dc);
		}
		return;
	}
	dc->confirmed = true;
	state_health_t was = dc->state;
	dc->state = verdict;
	if ((unsigned)verdict < M_ARRAY_LEN(dc->transitions))
		dc->transitions[verdict]++;
	dc->since_ms = dc->mon->wall_ms();
	char detail[STATE_TEXT_MAX];
	int32_t latency;
	dc_detail(dc, detail, sizeof(detail), &latency);
	log_info("%s: %s -> %s (%s)", dc->name, hc_health_name(was),
		 hc_health_name(verdict), detail);
	dc_publish(dc);
}

/* ---- running checks ---- */

static void check_due(void *arg)
{
	hc_check_rt_t *ck = arg;
	hc_monitor_t *mon = ck->dc->mon;
	int64_t late = hc_loop_now() - ck->due_ms;
	if (late > mon->stats.max_late_ms)
		mon->stats.max_late_ms = late;
	if (late > HC_LATE_MS)
		mon->stats.late_probes++;
	if (hc_probe_start(&ck->probe) != 0)
		log_warn("check %s: previous run still in flight; skipped", ck->label);
}

static void check_result(void *arg, const hc_result_t *res)
{
	hc_check_rt_t *ck = arg;
	hc_dc_t *dc = ck->dc;
	hc_monitor_t *mon = dc->mon;
	const conf_check_t *c = ck->conf;
	mon->stats.probes++;
	if (!res->ok)
		mon->stats.failures++;
	if (res->ok)
		ck->runs_ok++;
	else
		ck->runs_failed++;
	metrics_histogram_observe(&dc->latency, (double)res->latency_ms / 1e3);
	ck->last = *res;
	ck->has_result = true;
	log_debug("check %s: %s, %s, %d ms", ck->label, res->ok ? "ok" : "failed", res->reason,
		  (int)res->latency_ms);
	state_health_t was = ck->hyst.state;
	bool changed = hc_hysteresis_feed(&ck->hyst, res->ok, c->rise, c->fall);
	if (ck->hyst.state != STATE_HEALTH_UNKNOWN &&
	    (ck->hyst.state == STATE_HEALTH_UP) == res->ok) {
		ck->decisive = *res;
		ck->has_decisive = true;
	}
	if (changed) {
		log_info("check %s: %s -> %s after %u %s in a row (%s)", ck->label,
			 hc_health_name(was), hc_health_name(ck->hyst.state),
			 res->ok ? ck->hyst.successes : ck->hyst.failures,
			 res->ok ? "successes" : "failures", res->reason);
		dc_reconsider(dc);
	} else if (!res->ok && ck->hyst.failures == 1 && was == STATE_HEALTH_UP) {
		log_info("check %s: failed (%s); %u more to go down", ck->label, res->reason,
			 c->fall > 1 ? c->fall - 1 : 0);
	}
	/* A transition begun or called off is news for answers' TTLs: written at once
	 * (once per change of direction, not per probe). */
	int32_t change_in;
	const hc_result_t *pending_why;
	if (dc->announced && dc->confirmed &&
	    dc_pending(dc, &change_in, &pending_why) != dc->pending)
		dc_publish(dc);
	uint32_t every = hc_hysteresis_pending(&ck->hyst) && c->fast_interval_ms
			     ? c->fast_interval_ms
			     : c->interval_ms;
	/* Runs are paced from their due time, not their end, so slow answers do not make
	 * the interval drift; a run that is already overdue starts now. */
	int64_t now = hc_loop_now();
	ck->due_ms += every;
	if (ck->due_ms < now)
		ck->due_ms = now;
	hc_timer_arm(mon->loop, &ck->next, ck->due_ms);
}

/* ---- building ---- */

static const hc_dc_t *prev_dc(const hc_monitor_t *prev, const char *name, const char *address)
{
	if (prev == NULL)
		return NULL;
	for (size_t i = 0; i < prev->dc_count; i++)
		if (strcmp(prev->dcs[i].conf->name, name) == 0 &&
		    strcmp(prev->dcs[i].address, address) == 0)
			return &prev->dcs[i];
	return NULL;
}

static const state_observation_t *known_obs(const hc_monitor_t *mon,
					    const state_observation_t *known, size_t count,
					    const char *name, const char *address)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(known[i].checker, mon->conf->region) == 0 &&
		    strcmp(known[i].datacenter, name) == 0 && strcmp(known[i].address, address) == 0)
			return &known[i];
	return NULL;
}

/* Builds the unit of datacenter cdc (ac NULL) or of its checked address ac. */
static int dc_build(hc_monitor_t *mon, hc_dc_t *dc, const conf_datacenter_t *cdc,
		    const conf_address_check_t *ac, const hc_monitor_t *prev,
		    const state_observation_t *known, size_t known_count)
{
	dc->mon = mon;
	dc->conf = cdc;
	dc->state = STATE_HEALTH_UNKNOWN;
	dc->since_ms = mon->wall_ms();
	dc->check_confs = ac != NULL ? &ac->check : cdc->checks;
	dc->check_count = ac != NULL ? 1 : cdc->check_count;
	if (ac != NULL &&
	    inet_ntop(ac->address.family, ac->address.bytes, dc->address, sizeof(dc->address)) ==
		NULL)
		return -1;
	if (ac != NULL)
		snprintf(dc->name, sizeof(dc->name), "datacenter %s address %s", cdc->name,
			 dc->address);
	else
		snprintf(dc->name, sizeof(dc->name), "datacenter %s", cdc->name);
	hc_timer_init(&dc->heartbeat, dc_heartbeat, dc);
	const hc_dc_t *old = prev_dc(prev, cdc->name, dc->address);
	const state_observation_t *obs = known_obs(mon, known, known_count, cdc->name, dc->address);
	dc->confirmed = true;
	if (old != NULL) {
		dc->state = old->state;
		dc->since_ms = old->since_ms;
		dc->announced = old->announced;
		dc->confirmed = old->confirmed;
	} else if (obs != NULL) {
		dc->confirmed = obs->status == STATE_HEALTH_UNKNOWN;
		dc->state = obs->status;
		dc->since_ms = obs->since_ms;
		dc->announced = true;
		log_info("%s: keeping last known state %s until probes decide", dc->name,
			 hc_health_name(dc->state));
	}
	dc->checks = calloc(dc->check_count, sizeof(*dc->checks));
	if (dc->checks == NULL)
		return -1;
	for (size_t i = 0; i < dc->check_count; i++) {
		hc_check_rt_t *ck = &dc->checks[i];
		ck->dc = dc;
		ck->index = i;
		ck->conf = &dc->check_confs[i];
		hc_probe_init(&ck->probe, mon->loop, ck->conf, check_result, ck);
		hc_timer_init(&ck->next, check_due, ck);
		ck->key = check_key(ck->conf);
		if (ck->key == NULL)
			return -1;
		check_label(ck);
		/* A new or changed check starts undecided: it needs rise successes or fall
		 * failures like any new check, and until then the rule says UNKNOWN and the
		 * datacenter keeps its state. */
		hc_hysteresis_init(&ck->hyst, STATE_HEALTH_UNKNOWN);
		ck->due_ms = 0;
		for (size_t j = 0; old != NULL && j < old->check_count; j++) {
			const hc_check_rt_t *was = &old->checks[j];
			if (strcmp(was->key, ck->key) == 0) {
				ck->hyst = was->hyst;
				ck->last = was->last;
				ck->has_result = was->has_result;
				ck->decisive = was->decisive;
				ck->has_decisive = was->has_decisive;
				ck->due_ms = was->due_ms;
				break;
			}
		}
	}
	return 0;
}

hc_monitor_t *hc_monitor_new(hc_loop_t *loop, const conf_t *conf, const hc_monitor_t *prev,
			     const state_observation_t *known, size_t known_count,
			     hc_publish_fn publish, void *publish_arg)
{
	hc_monitor_t *mon = calloc(1, sizeof(*mon));
	if (mon == NULL)
		return NULL;
	mon->loop = loop;
	mon->conf = conf;
	mon->publish = publish;
	mon->publish_arg = publish_arg;
	mon->wall_ms = prev ? prev->wall_ms : clock_wall_ms;
	if (getrandom(&mon->rng, sizeof(mon->rng), GRND_NONBLOCK) != sizeof(mon->rng) ||
	    mon->rng == 0)
		mon->rng = (uint64_t)hc_loop_now() | 1;
	uint32_t stale = conf->health.stale_after_ms ? conf->health.stale_after_ms : 30000;
	mon->heartbeat_ms = stale / 3 ? stale / 3 : 1;
	size_t with_checks = 0;
	for (size_t i = 0; i < conf->datacenter_count; i++)
		with_checks += (conf->datacenters[i].check_count > 0) +
			       conf->datacenters[i].address_check_count;
	mon->dcs = calloc(with_checks ? with_checks : 1, sizeof(*mon->dcs));
	if (mon->dcs == NULL) {
		free(mon);
		return NULL;
	}
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const conf_datacenter_t *cdc = &conf->datacenters[i];
		for (size_t a = 0; a <= cdc->address_check_count; a++) {
			/* the datacenter's own checks first, then one unit per address */
			const conf_address_check_t *ac = a > 0 ? &cdc->address_checks[a - 1] : NULL;
			if (ac == NULL && cdc->check_count == 0)
				continue;
			hc_dc_t *dc = &mon->dcs[mon->dc_count++];
			mon->stats.checks += ac != NULL ? 1 : cdc->check_count;
			mon->stats.datacenters += ac == NULL;
			if (dc_build(mon, dc, cdc, ac, prev, known, known_count) != 0) {
				hc_monitor_free(mon);
				return NULL;
			}
		}
	}
	return mon;
}

void hc_monitor_start(hc_monitor_t *mon)
{
	int64_t now = hc_loop_now();
	for (size_t i = 0; i < mon->dc_count; i++) {
		hc_dc_t *dc = &mon->dcs[i];
		for (size_t j = 0; j < dc->check_count; j++) {
			hc_check_rt_t *ck = &dc->checks[j];
			if (ck->due_ms == 0 || ck->due_ms < now) {
				uint32_t jitter = ck->conf->jitter_ms;
				ck->due_ms =
				    now + (jitter ? (int64_t)(rng_next(mon) % (jitter + 1u)) : 0);
			}
			hc_timer_arm(mon->loop, &ck->next, ck->due_ms);
		}
		if (!dc->announced) {
			log_info("%s: new, unknown (served) until probes decide", dc->name);
			dc_publish(dc);
		} else if (!dc->confirmed) {
			/* A state kept from before a restart is no vote: heartbeats would make
			 * it fresh again before any probe ran. Nothing is written until the
			 * probes decide (dc_reconsider publishes and arms the heartbeat); the
			 * old row ages out meanwhile, as it would have. */
		} else {
			/* Spread heartbeats so a thousand datacenters do not write at once. */
			int64_t spread = (int64_t)(rng_next(mon) % (uint64_t)mon->heartbeat_ms);
			hc_timer_arm(mon->loop, &dc->heartbeat, now + spread);
		}
	}
}

void hc_monitor_free(hc_monitor_t *mon)
{
	if (mon == NULL)
		return;
	for (size_t i = 0; i < mon->dc_count; i++) {
		hc_dc_t *dc = &mon->dcs[i];
		hc_timer_disarm(mon->loop, &dc->heartbeat);
		for (size_t j = 0; dc->checks != NULL && j < dc->check_count; j++) {
			hc_check_rt_t *ck = &dc->checks[j];
			if (ck->dc == NULL)
				continue; /* never built (allocation failed part way) */
			hc_timer_disarm(mon->loop, &ck->next);
			hc_probe_fini(&ck->probe);
			free(ck->key);
		}
		free(dc->checks);
	}
	free(mon->dcs);
	free(mon);
}

void hc_monitor_stats(const hc_monitor_t *mon, hc_monitor_stats_t *out)
{
	*out = mon->stats;
}

int hc_monitor_datacenter_state(const hc_monitor_t *mon, const char *name)
{
	for (size_t i = 0; i < mon->dc_count; i++)
		if (strcmp(mon->dcs[i].conf->name, name) == 0 && mon->dcs[i].address[0] == '\0')
			return (int)mon->dcs[i].state;
	return -1;
}

void hc_monitor_set_clock(hc_monitor_t *mon, int64_t (*wall_ms)(void))
{
	mon->wall_ms = wall_ms;
}

void hc_monitor_metrics(const hc_monitor_t *mon, metrics_page_t *p)
{
	static const char *const types[] = {"http", "https", "tcp", "dns", "exec"};
	metrics_family(p, "meridian_healthcheck_probes_total", METRICS_COUNTER,
		       "Probe runs by datacenter, check (its index) and result.");
	/* series by datacenter are the datacenters' own checks; addresses have theirs */
	for (size_t d = 0; d < mon->dc_count; d++) {
		const hc_dc_t *dc = &mon->dcs[d];
		for (size_t i = 0; dc->address[0] == '\0' && i < dc->check_count; i++) {
			const hc_check_rt_t *ck = &dc->checks[i];
			char index[24];
			snprintf(index, sizeof(index), "%zu", i);
			const char *type = types[ck->conf->type];
			metrics_u64(p, "meridian_healthcheck_probes_total", ck->runs_ok, "datacenter",
				    dc->conf->name, "check", index, "type", type, "result", "ok",
				    NULL);
			metrics_u64(p, "meridian_healthcheck_probes_total", ck->runs_failed,
				    "datacenter", dc->conf->name, "check", index, "type", type,
				    "result", "failed", NULL);
		}
	}
	metrics_family(p, "meridian_healthcheck_probe_duration_seconds", METRICS_HISTOGRAM,
		       "Time from a probe's start to its result, by datacenter.");
	for (size_t d = 0; d < mon->dc_count; d++)
		if (mon->dcs[d].address[0] == '\0')
			metrics_histogram_write(p, "meridian_healthcheck_probe_duration_seconds",
					"datacenter", mon->dcs[d].conf->name, &mon->dcs[d].latency);
	metrics_family(p, "meridian_healthcheck_transitions_total", METRICS_COUNTER,
		       "Changes of this region's view of a datacenter, by the state entered.");
	for (size_t d = 0; d < mon->dc_count; d++)
		for (int st = STATE_HEALTH_UP; mon->dcs[d].address[0] == '\0' && st <= STATE_HEALTH_DOWN;
		     st++)
			metrics_u64(p, "meridian_healthcheck_transitions_total",
				    mon->dcs[d].transitions[st], "datacenter", mon->dcs[d].conf->name,
				    "to", hc_health_name((state_health_t)st), NULL);
	metrics_family(p, "meridian_healthcheck_datacenter_up", METRICS_GAUGE,
		       "This region's view: 1 up, 0 down, -1 not decided yet.");
	for (size_t d = 0; d < mon->dc_count; d++) {
		const hc_dc_t *dc = &mon->dcs[d];
		double v = dc->state == STATE_HEALTH_UP ? 1 : dc->state == STATE_HEALTH_DOWN ? 0 : -1;
		if (dc->address[0] == '\0')
			metrics_f64(p, "meridian_healthcheck_datacenter_up", v, "datacenter",
				    dc->conf->name, NULL);
	}
	metrics_family(p, "meridian_healthcheck_address_up", METRICS_GAUGE,
		       "This region's view of a checked address: 1 up, 0 down, -1 not decided yet.");
	for (size_t d = 0; d < mon->dc_count; d++) {
		const hc_dc_t *dc = &mon->dcs[d];
		double v = dc->state == STATE_HEALTH_UP ? 1 : dc->state == STATE_HEALTH_DOWN ? 0 : -1;
		if (dc->address[0] != '\0')
			metrics_f64(p, "meridian_healthcheck_address_up", v, "datacenter",
				    dc->conf->name, "address", dc->address, NULL);
	}
	metrics_family(p, "meridian_healthcheck_late_probes_total", METRICS_COUNTER,
		       "Probe runs that started over 100 ms after they were due.");
	metrics_u64(p, "meridian_healthcheck_late_probes_total", mon->stats.late_probes, NULL);
	metrics_family(p, "meridian_healthcheck_max_start_delay_seconds", METRICS_GAUGE,
		       "Worst delay of a probe start behind its due time.");
	metrics_f64(p, "meridian_healthcheck_max_start_delay_seconds",
		    (double)mon->stats.max_late_ms / 1e3, NULL);
	metrics_family(p, "meridian_healthcheck_observation_writes_total", METRICS_COUNTER,
		       "Observations handed to the writer, by result.");
	metrics_u64(p, "meridian_healthcheck_observation_writes_total", mon->stats.publishes,
		    "result", "ok", NULL);
	metrics_u64(p, "meridian_healthcheck_observation_writes_total", mon->stats.publish_errors,
		    "result", "failed", NULL);
}
