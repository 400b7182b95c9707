/* SPDX-License-Identifier: MIT */
/* test_auth.c -- HMAC signing of requests and responses, key loading, replay cache */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "replicator/repl_auth.h"

static repl_key_t test_key(void)
{
	repl_key_t k;
	memset(&k, 0, sizeof(k));
	memcpy(k.bytes, "0123456789abcdef0123456789abcdef", 32);
	k.len = 32;
	return k;
}

static repl_auth_msg_t base_msg(void)
{
	repl_auth_msg_t m = {.kind = "request",
			     .method = "POST",
			     .target = "/v1/changes",
			     .region = "eu-west",
			     .time_ms = 1700000000000,
			     .nonce = "00112233445566778899aabbccddeeff",
			     .body = "{\"a\":1}",
			     .body_len = 7};
	return m;
}

static void test_signature_verifies(void **state)
{
	(void)state;
	repl_key_t k = test_key();
	repl_auth_msg_t m = base_msg();
	char sig[REPL_SIG_HEX + 1];
	assert_int_equal(repl_auth_sign(&k, &m, sig), 0);
	assert_int_equal(strlen(sig), REPL_SIG_HEX);
	assert_int_equal(repl_auth_verify(&k, &m, sig), 0);
}

/* A row per field a forger could change; each must break the signature. */
static void test_signature_covers_every_field(void **state)
{
	(void)state;
	repl_key_t k = test_key();
	repl_auth_msg_t m = base_msg();
	char sig[REPL_SIG_HEX + 1];
	assert_int_equal(repl_auth_sign(&k, &m, sig), 0);
	static const struct {
		const char *name;
		int field;
	} rows[] = {{"kind", 0}, {"method", 1}, {"target", 2}, {"region", 3},
		    {"time", 4}, {"nonce", 5},	{"body", 6},   {"body length", 7}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		repl_auth_msg_t f = m;
		switch (rows[i].field) {
		case 0:
			f.kind = "response";
			break;
		case 1:
			f.method = "GET";
			break;
		case 2:
			f.target = "/v1/changes?x=1";
			break;
		case 3:
			f.region = "us-east";
			break;
		case 4:
			f.time_ms++;
			break;
		case 5:
			f.nonce = "00112233445566778899aabbccddeef0";
			break;
		case 6:
			f.body = "{\"a\":2}";
			break;
		case 7:
			f.body_len = 6;
			break;
		}
		if (repl_auth_verify(&k, &f, sig) == 0)
			fail_msg("changing %s did not break the signature", rows[i].name);
	}
}

static void test_signature_wrong_key_refused(void **state)
{
	(void)state;
	repl_key_t k = test_key(), other = test_key();
	repl_auth_msg_t m = base_msg();
	char sig[REPL_SIG_HEX + 1];
	other.bytes[0] ^= 1;
	assert_int_equal(repl_auth_sign(&k, &m, sig), 0);
	assert_int_equal(repl_auth_verify(&other, &m, sig), -1);
}

static void test_signature_malformed_refused(void **state)
{
	(void)state;
	repl_key_t k = test_key();
	repl_auth_msg_t m = base_msg();
	char sig[REPL_SIG_HEX + 1];
	assert_int_equal(repl_auth_sign(&k, &m, sig), 0);
	assert_int_equal(repl_auth_verify(&k, &m, NULL), -1);
	assert_int_equal(repl_auth_verify(&k, &m, ""), -1);
	sig[10] = 'Z';
	assert_int_equal(repl_auth_verify(&k, &m, sig), -1);
	sig[REPL_SIG_HEX - 1] = '\0';
	assert_int_equal(repl_auth_verify(&k, &m, sig), -1);
}

static void test_newline_in_field_refused(void **state)
{
	(void)state;
	repl_key_t k = test_key();
	repl_auth_msg_t m = base_msg();
	char sig[REPL_SIG_HEX + 1];
	m.target = "/v1/changes\nPOST";
	assert_int_equal(repl_auth_sign(&k, &m, sig), -1);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_key_load_strips_newline(void **state)
{
	(void)state;
	char path[] = "/tmp/meridian-key-XXXXXX", err[256];
	close(mkstemp(path));
	write_file(path, "0123456789abcdef0123\n");
	repl_key_t k;
	assert_int_equal(repl_key_load(path, &k, err, sizeof(err)), 0);
	assert_int_equal(k.len, 20);
	unlink(path);
}

static void test_key_load_short_refused(void **state)
{
	(void)state;
	char path[] = "/tmp/meridian-key-XXXXXX", err[256], want[300];
	close(mkstemp(path));
	write_file(path, "short\n");
	repl_key_t k;
	assert_int_equal(repl_key_load(path, &k, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: key shorter than 16 bytes", path);
	assert_string_equal(err, want);
	unlink(path);
}

static void test_key_load_missing_refused(void **state)
{
	(void)state;
	char err[256];
	repl_key_t k;
	assert_int_equal(repl_key_load("/nonexistent/key", &k, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "/nonexistent/key: cannot open key file: No such file or directory");
}

static void test_nonce_replay_refused(void **state)
{
	(void)state;
	repl_nonce_cache_t *c = repl_nonce_cache_new(128);
	const char *n = "00112233445566778899aabbccddeeff";
	assert_int_equal(repl_nonce_cache_check(c, n, 1000, 61000), REPL_NONCE_FRESH);
	assert_int_equal(repl_nonce_cache_check(c, n, 2000, 62000), REPL_NONCE_REPLAY);
	/* Once expired, the slot is free again (the time window refuses such old messages). */
	assert_int_equal(repl_nonce_cache_check(c, n, 61001, 121000), REPL_NONCE_FRESH);
	repl_nonce_cache_free(c);
}

static void test_nonce_malformed_refused(void **state)
{
	(void)state;
	repl_nonce_cache_t *c = repl_nonce_cache_new(128);
	assert_int_equal(repl_nonce_cache_check(c, "abc", 0, 10), REPL_NONCE_MALFORMED);
	assert_int_equal(repl_nonce_cache_check(c, "00112233445566778899AABBCCDDEEFF", 0, 10),
			 REPL_NONCE_MALFORMED);
	repl_nonce_cache_free(c);
}

static void test_nonce_cache_full_fails_closed(void **state)
{
	(void)state;
	repl_nonce_cache_t *c = repl_nonce_cache_new(64);
	char n[REPL_NONCE_HEX + 1];
	int fresh = 0, full = 0;
	for (int i = 0; i < 200; i++) {
		assert_int_equal(repl_auth_nonce(n), 0);
		repl_nonce_result_t r = repl_nonce_cache_check(c, n, 0, 1000);
		fresh += r == REPL_NONCE_FRESH;
		full += r == REPL_NONCE_FULL;
	}
	assert_int_equal(fresh, 64);
	assert_int_equal(full, 136);
	repl_nonce_cache_free(c);
}

static void test_time_window(void **state)
{
	(void)state;
	assert_int_equal(repl_auth_time_ok(100000, 100000, 30000), 0);
	assert_int_equal(repl_auth_time_ok(70000, 100000, 30000), 0);
	assert_int_equal(repl_auth_time_ok(69999, 100000, 30000), -1);
	assert_int_equal(repl_auth_time_ok(130001, 100000, 30000), -1);
}

static void test_parse_time(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(repl_auth_parse_time("1700000000000", &t), 0);
	assert_true(t == 1700000000000);
	assert_int_equal(repl_auth_parse_time("", &t), -1);
	assert_int_equal(repl_auth_parse_time("-5", &t), -1);
	assert_int_equal(repl_auth_parse_time("12a", &t), -1);
	assert_int_equal(repl_auth_parse_time("9999999999999999", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_verifies),
	    cmocka_unit_test(test_signature_covers_every_field),
	    cmocka_unit_test(test_signature_wrong_key_refused),
	    cmocka_unit_test(test_signature_malformed_refused),
	    cmocka_unit_test(test_newline_in_field_refused),
	    cmocka_unit_test(test_key_load_strips_newline),
	    cmocka_unit_test(test_key_load_short_refused),
	    cmocka_unit_test(test_key_load_missing_refused),
	    cmocka_unit_test(test_nonce_replay_refused),
	    cmocka_unit_test(test_nonce_malformed_refused),
	    cmocka_unit_test(test_nonce_cache_full_fails_closed),
	    cmocka_unit_test(test_time_window),
	    cmocka_unit_test(test_parse_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
