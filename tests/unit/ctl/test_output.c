/* SPDX-License-Identifier: MIT */
/* test_output.c -- status, events and peers output; datacenter names; dnsd discovery */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bridge/bridge_state.h"
#include "ctl/ctl_config.h"
#include "ctl/ctl_events.h"
#include "ctl/ctl_peers.h"
#include "ctl/ctl_state.h"
#include "ctl/ctl_status.h"

#define NOW 1796000000000LL /* 2026-11-30T00:53:20Z */

/* Two datacenters, one record over both: the smallest world with a failover. */
static conf_datacenter_t dcs[2] = {{.name = (char *)"us-east"}, {.name = (char *)"eu-west"}};
static size_t www_candidates[2] = {0, 1};
static conf_record_t records[1] = {{.name = (char *)"www.example.com.",
				    .datacenters = www_candidates,
				    .datacenter_count = 2,
				    .ttl = 30}};
static conf_peer_t peer_list[1] = {
    {.region = (char *)"eu-west", .url = (char *)"http://127.0.0.1:8854"}};

static conf_t test_conf(void)
{
	conf_t c;

	memset(&c, 0, sizeof(c));
	c.path = (char *)"meridian.yaml";
	c.region = (char *)"us-east";
	c.datacenters = dcs;
	c.datacenter_count = 2;
	c.records = records;
	c.record_count = 1;
	c.health.stale_after_ms = 30000;
	c.health.override_default_ms = 3600000;
	c.health.isolated = (char *)"hold";
	c.health.hold_ms = 300000;
	c.health.flap_damping = true;
	c.replication.peers = peer_list;
	c.replication.peer_count = 1;
	return c;
}

static state_observation_t observation(const char *checker, const char *dc, state_health_t status,
				       int64_t since_ago, int64_t checked_ago, const char *detail)
{
	state_observation_t o;

	memset(&o, 0, sizeof(o));
	snprintf(o.checker, sizeof(o.checker), "%s", checker);
	snprintf(o.datacenter, sizeof(o.datacenter), "%s", dc);
	o.status = status;
	o.since_ms = NOW - since_ago;
	o.checked_ms = NOW - checked_ago;
	o.latency_ms = -1;
	snprintf(o.detail, sizeof(o.detail), "%s", detail);
	return o;
}

/* What the verdicts read of test_conf(): it borrows only static arrays and literals, so
 * one copy serves every test (group_setup, group_teardown). */
static state_params_t *test_params;

static int group_setup(void **unused)
{
	conf_t c = test_conf();
	test_params = bridge_state_params_new(&c);
	return test_params == NULL ? -1 : 0;
}

static int group_teardown(void **unused)
{
	bridge_state_params_free(test_params);
	return 0;
}

/* us-east drained by alice with 29m55s left; eu-west down by quorum: a fail-open world. */
typedef struct {
	state_observation_t obs[3];
	state_override_t ovr[1];
	state_verdict_t verdicts[2];
	ctl_view_t view;
} world_t;

static void world_init(world_t *w)
{
	memset(w, 0, sizeof(*w));
	w->obs[0] = observation("us-east", "us-east", STATE_HEALTH_UP, 300000, 1000, "HTTP 200");
	w->obs[1] = observation("us-east", "eu-west", STATE_HEALTH_DOWN, 3000, 500, "HTTP 503");
	w->obs[2] =
	    observation("eu-west", "eu-west", STATE_HEALTH_DOWN, 62000, 45000, "connect refused");
	snprintf(w->ovr[0].datacenter, sizeof(w->ovr[0].datacenter), "us-east");
	w->ovr[0].action = STATE_OVERRIDE_DRAIN;
	snprintf(w->ovr[0].reason, sizeof(w->ovr[0].reason), "kernel \"upgrade\"");
	snprintf(w->ovr[0].actor, sizeof(w->ovr[0].actor), "alice");
	snprintf(w->ovr[0].origin, sizeof(w->ovr[0].origin), "us-east");
	w->ovr[0].created_ms = NOW - 5000;
	w->ovr[0].expires_ms = NOW + 1795000;
	w->verdicts[0] = (state_verdict_t){.effective = STATE_DC_DRAINED,
					   .observed = STATE_DC_UP,
					   .serving = false,
					   .votes_up = 1,
					   .override_index = 0};
	snprintf(w->verdicts[0].why, sizeof(w->verdicts[0].why), "drained by alice");
	w->verdicts[1] = (state_verdict_t){.effective = STATE_DC_DOWN,
					   .observed = STATE_DC_DOWN,
					   .serving = false,
					   .votes_down = 1,
					   .votes_stale = 1,
					   .override_index = -1};
	snprintf(w->verdicts[1].why, sizeof(w->verdicts[1].why),
		 "1 of 1 fresh observations say down");
	w->view = (ctl_view_t){.now_ms = NOW,
			       .obs = w->obs,
			       .obs_count = 3,
			       .ovr = w->ovr,
			       .ovr_count = 1,
			       .verdicts = w->verdicts,
			       .params = test_params};
}

typedef struct {
	FILE *out;
	char *text;
	size_t len;
} capture_t;

static FILE *capture_open(capture_t *c)
{
	c->text = NULL;
	c->len = 0;
	c->out = open_memstream(&c->text, &c->len);
	assert_non_null(c->out);
	return c->out;
}

static char *capture_close(capture_t *c)
{
	fclose(c->out);
	return c->text;
}

static void test_observation_text_shows_age_and_reason(void **state)
{
	world_t w;
	char buf[256];

	world_init(&w);
	assert_string_equal(
	    ctl_status_observation_text(w.view.params, &w.obs[1], NOW, buf, sizeof(buf)),
	    "us-east:down 3s \"HTTP 503\"");
	assert_string_equal(
	    ctl_status_observation_text(w.view.params, &w.obs[2], NOW, buf, sizeof(buf)),
	    "eu-west:down 1m02s \"connect refused\" (stale, checked 45s ago)");
}

static void test_override_text_shows_actor_time_left_and_reason(void **state)
{
	world_t w;
	char buf[256];

	world_init(&w);
	assert_string_equal(ctl_status_override_text(&w.ovr[0], NOW, buf, sizeof(buf)),
			    "drain by alice, 29m55s left: \"kernel \"upgrade\"\"");
	w.ovr[0].expires_ms = 0;
	assert_string_equal(ctl_status_override_text(&w.ovr[0], NOW, buf, sizeof(buf)),
			    "drain by alice, no expiry: \"kernel \"upgrade\"\"");
}

static void test_status_table_reads_at_a_glance(void **state)
{
	conf_t conf = test_conf();
	capture_t cap;
	world_t w;
	char *text;

	world_init(&w);
	assert_int_equal(ctl_status_print_table(capture_open(&cap), &conf, &w.view), 0);
	text = capture_close(&cap);
	assert_string_equal(
	    text,
	    "region us-east, 2026-11-30T00:53:20Z; down when 2 of the 2 configured regions' fresh "
	    "votes say down (stale votes count neither way), stale after 30s; isolated: hold (at "
	    "most 5m00s), flap damping on; ages by this region's clock\n"
	    "\n"
	    "DATACENTER  STATE              OBSERVED                                               "
	    "        "
	    "OVERRIDE\n"
	    "us-east     DRAINED (real UP)  us-east:up 5m00s \"HTTP 200\"                          "
	    "          "
	    "drain by alice, 29m55s left: \"kernel \"upgrade\"\"\n"
	    "eu-west     DOWN               us-east:down 3s \"HTTP 503\"                           "
	    "          "
	    "-\n"
	    "                               eu-west:down 1m02s \"connect refused\" (stale, checked "
	    "45s ago)\n"
	    "\n"
	    "FAIL-OPEN www.example.com.: no serving candidate (us-east DRAINED, eu-west DOWN); "
	    "answering as if all were up\n");
	free(text);
}

static void test_status_table_without_observations_says_so(void **state)
{
	conf_t conf = test_conf();
	capture_t cap;
	world_t w;
	char *text;

	world_init(&w);
	w.view.obs_count = 0;
	w.verdicts[0] =
	    (state_verdict_t){.effective = STATE_DC_UNKNOWN, .serving = true, .override_index = -1};
	w.verdicts[1] =
	    (state_verdict_t){.effective = STATE_DC_UNKNOWN, .serving = true, .override_index = -1};
	assert_int_equal(ctl_status_print_table(capture_open(&cap), &conf, &w.view), 0);
	text = capture_close(&cap);
	assert_string_equal(text, "region us-east, 2026-11-30T00:53:20Z; down when 2 of the 2 "
				  "configured regions' fresh votes say down (stale votes count "
				  "neither way), stale after 30s; isolated: hold (at most 5m00s), "
				  "flap damping on; ages by this region's clock\n"
				  "\n"
				  "DATACENTER  STATE    OBSERVED         OVERRIDE\n"
				  "us-east     UNKNOWN  no observations  -\n"
				  "eu-west     UNKNOWN  no observations  -\n");
	free(text);
}

static void test_status_json_has_stable_keys(void **state)
{
	conf_t conf = test_conf();
	capture_t cap;
	world_t w;
	char *text;

	world_init(&w);
	assert_int_equal(ctl_status_print_json(capture_open(&cap), &conf, &w.view), 0);
	text = capture_close(&cap);
	assert_non_null(strstr(text, "\"region\": \"us-east\",\n  \"now_ms\": 1796000000000,\n  "
				     "\"quorum\": 0,\n  \"stale_after_ms\": 30000,"));
	assert_non_null(strstr(text, "\"name\": \"us-east\",\n      \"state\": \"drained\",\n"
				     "      \"observed\": \"up\",\n      \"serving\": false,"));
	assert_non_null(
	    strstr(text, "\"action\": \"drain\",\n        \"reason\": \"kernel \\\"upgrade\\\"\",\n"
			 "        \"actor\": \"alice\","));
	assert_non_null(strstr(text, "\"remaining_ms\": 1795000"));
	assert_non_null(strstr(text, "\"stale\": true"));
	assert_non_null(strstr(text, "\"override\": null"));
	assert_non_null(strstr(
	    text, "\"fail_open\": [\n    {\n      \"record\": \"www.example.com.\",\n"
		  "      \"candidates\": [\n        \"us-east\",\n        \"eu-west\"\n      ]"));
	free(text);
}

static void test_events_table_lists_who_did_what(void **state)
{
	state_event_t ev[2];
	capture_t cap;
	char *text;

	memset(ev, 0, sizeof(ev));
	snprintf(ev[0].origin, sizeof(ev[0].origin), "eu-west");
	ev[0].at_ms = NOW;
	snprintf(ev[0].actor, sizeof(ev[0].actor), "bob");
	snprintf(ev[0].action, sizeof(ev[0].action), "clear");
	snprintf(ev[0].datacenter, sizeof(ev[0].datacenter), "us-east");
	snprintf(ev[0].detail, sizeof(ev[0].detail), "drain");
	snprintf(ev[1].origin, sizeof(ev[1].origin), "us-east");
	ev[1].at_ms = NOW - 60000;
	snprintf(ev[1].actor, sizeof(ev[1].actor), "alice");
	snprintf(ev[1].action, sizeof(ev[1].action), "drain");
	snprintf(ev[1].datacenter, sizeof(ev[1].datacenter), "us-east");
	snprintf(ev[1].reason, sizeof(ev[1].reason), "kernel upgrade");
	snprintf(ev[1].detail, sizeof(ev[1].detail), "until 2026-11-30T01:52:20Z");
	assert_int_equal(ctl_events_print(capture_open(&cap), false, ev, 2), 0);
	text = capture_close(&cap);
	assert_string_equal(text,
			    "TIME                  ORIGIN   ACTOR  ACTION  DATACENTER  REASON\n"
			    "2026-11-30T00:53:20Z  eu-west  bob    clear   us-east     [drain]\n"
			    "2026-11-30T00:52:20Z  us-east  alice  drain   us-east     kernel "
			    "upgrade [until 2026-11-30T01:52:20Z]\n");
	free(text);
	assert_int_equal(ctl_events_print(capture_open(&cap), false, ev, 0), 0);
	text = capture_close(&cap);
	assert_string_equal(text, "no events\n");
	free(text);
}

static void test_peers_lists_configured_and_remembered_peers(void **state)
{
	conf_t conf = test_conf();
	state_peer_t peers[2];
	capture_t cap;
	char *text;

	memset(peers, 0, sizeof(peers));
	snprintf(peers[0].region, sizeof(peers[0].region), "ap-south");
	snprintf(peers[0].url, sizeof(peers[0].url), "http://127.0.0.1:8855");
	peers[0].last_contact_ms = NOW - 90000;
	peers[0].lag_ms = 120;
	peers[0].errors = 3;
	peers[0].last_error_ms = NOW - 2000;
	snprintf(peers[0].last_error, sizeof(peers[0].last_error), "HMAC mismatch");
	assert_int_equal(ctl_peers_print(capture_open(&cap), false, &conf, peers, 1, NOW), 0);
	text = capture_close(&cap);
	assert_string_equal(
	    text, "PEER      URL                    LAST CONTACT  LAG    ERRORS  LAST ERROR\n"
		  "eu-west   http://127.0.0.1:8854  never         -      0       -\n"
		  "ap-south  http://127.0.0.1:8855  1m30s ago     120ms  3       2s ago: HMAC "
		  "mismatch\n");
	free(text);
}

static void test_peers_show_progress_per_origin_under_each_peer(void **state)
{
	conf_t conf = test_conf();
	state_peer_t peer;
	state_peer_origin_t rows[2];
	ctl_peer_origins_t origins = {rows, 2, false, 0};
	capture_t cap;
	char *text;

	memset(&peer, 0, sizeof(peer));
	snprintf(peer.region, sizeof(peer.region), "eu-west");
	snprintf(peer.url, sizeof(peer.url), "http://127.0.0.1:8854");
	peer.last_contact_ms = NOW - 1000;
	peer.lag_ms = 250;
	memset(rows, 0, sizeof(rows));
	snprintf(rows[0].peer, sizeof(rows[0].peer), "eu-west");
	snprintf(rows[0].origin, sizeof(rows[0].origin), "ap-south");
	rows[0].peer_seq = 200;
	rows[0].local_seq = 150;
	rows[0].behind = 50;
	rows[0].newest_hlc = (uint64_t)(NOW - 250) << 16;
	rows[0].lag_ms = 250;
	rows[0].updated_ms = NOW - 1000;
	snprintf(rows[1].peer, sizeof(rows[1].peer), "eu-west");
	snprintf(rows[1].origin, sizeof(rows[1].origin), "eu-west");
	rows[1].peer_seq = rows[1].local_seq = 7;
	rows[1].lag_ms = -1;
	rows[1].updated_ms = NOW - 1000;
	assert_int_equal(
	    ctl_peers_print_origins(capture_open(&cap), false, &conf, &peer, 1, &origins, NOW), 0);
	text = capture_close(&cap);
	assert_string_equal(
	    text,
	    "PEER               URL                            LAST CONTACT  LAG    ERRORS  LAST ERROR\n"
	    "eu-west            http://127.0.0.1:8854          1s ago        250ms  0       -\n"
	    "  origin ap-south  50 behind (seq 200, here 150)                250ms\n"
	    "  origin eu-west   0 behind (seq 7, here 7)                     -\n");
	free(text);
	assert_int_equal(
	    ctl_peers_print_origins(capture_open(&cap), true, &conf, &peer, 1, &origins, NOW), 0);
	text = capture_close(&cap);
	/* Pretty-printed: compare with the layout whitespace taken out. */
	{
		char *w = text;
		for (const char *r = text; *r != '\0'; r++)
			if (*r != ' ' && *r != '\n')
				*w++ = *r;
		*w = '\0';
	}
	assert_non_null(strstr(text, "\"origins\":[{\"origin\":\"ap-south\",\"behind\":50,"
				     "\"lag_ms\":250,\"peer_seq\":200,\"local_seq\":150,"
				     "\"newest_hlc\":"));
	assert_non_null(strstr(text, "{\"origin\":\"eu-west\",\"behind\":0,\"lag_ms\":null,"
				     "\"peer_seq\":7,\"local_seq\":7,\"newest_hlc\":null,"));
	free(text);
}

static void test_unknown_datacenter_names_the_known_ones(void **state)
{
	conf_t conf = test_conf();
	char err[256];

	assert_int_equal(ctl_datacenter_lookup(&conf, "xx", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown datacenter \"xx\" (known: us-east, eu-west)");
	assert_int_equal(ctl_datacenter_lookup(&conf, "eu-west", err, sizeof(err)), 1);
}

static void test_cmdline_config_finds_every_spelling(void **state)
{
	static const struct {
		const char *name;
		const char cmdline[64];
		size_t len;
		const char *config;
	} rows[] = {
	    {"-c FILE", "meridian-dnsd\0-c\0/etc/m.yaml\0", 29, "/etc/m.yaml"},
	    {"-cFILE", "meridian-dnsd\0-cm.yaml\0", 23, "m.yaml"},
	    {"--config FILE", "meridian-dnsd\0--listen\0x\0--config\0a.yaml\0", 41, "a.yaml"},
	    {"--config=FILE", "meridian-dnsd\0--config=b.yaml\0", 30, "b.yaml"},
	    {"none", "meridian-dnsd\0--listen\0127.0.0.1:53\0", 37, NULL},
	    {"-c last, no value", "meridian-dnsd\0-c\0", 17, NULL},
	    {"the last -c wins", "meridian-dnsd\0-c\0a.yaml\0-cb.yaml\0", 33, "b.yaml"},
	    {"argv0 only", "meridian-dnsd\0", 14, NULL},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = ctl_cmdline_config(rows[i].cmdline, rows[i].len);

		if ((got == NULL) != (rows[i].config == NULL) ||
		    (got != NULL && strcmp(got, rows[i].config) != 0))
			fail_msg("case \"%s\": got [%s]", rows[i].name,
				 got != NULL ? got : "(null)");
	}
}

static void test_pid_file_must_hold_a_pid(void **state)
{
	char path[] = "/tmp/ctl-pid-XXXXXX", err[256];
	pid_t pid = 0;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "4242\n", 5), 5);
	assert_int_equal(ctl_pid_file_read(path, &pid, err, sizeof(err)), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "42x", 3, 0), 3);
	assert_int_equal(ctl_pid_file_read(path, &pid, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not hold a process id"));
	close(fd);
	unlink(path);
	assert_int_equal(ctl_pid_file_read(path, &pid, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open pid file /tmp/ctl-pid-"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_observation_text_shows_age_and_reason),
	    cmocka_unit_test(test_override_text_shows_actor_time_left_and_reason),
	    cmocka_unit_test(test_status_table_reads_at_a_glance),
	    cmocka_unit_test(test_status_table_without_observations_says_so),
	    cmocka_unit_test(test_status_json_has_stable_keys),
	    cmocka_unit_test(test_events_table_lists_who_did_what),
	    cmocka_unit_test(test_peers_lists_configured_and_remembered_peers),
	    cmocka_unit_test(test_peers_show_progress_per_origin_under_each_peer),
	    cmocka_unit_test(test_unknown_datacenter_names_the_known_ones),
	    cmocka_unit_test(test_cmdline_config_finds_every_spelling),
	    cmocka_unit_test(test_pid_file_must_hold_a_pid),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
