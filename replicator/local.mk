# replicator/local.mk -- meridian-replicator: HTTP API (libmicrohttpd), pull client (libcurl), auth
noinst_LIBRARIES += replicator/librepl.a
replicator_librepl_a_SOURCES = \
	replicator/repl_auth.c replicator/repl_auth.h \
	replicator/repl_buf.c replicator/repl_buf.h \
	replicator/repl_codec.c replicator/repl_codec.h \
	replicator/repl_stats.c replicator/repl_stats.h \
	replicator/repl_metrics.c replicator/repl_metrics.h \
	replicator/repl_watch.c replicator/repl_watch.h \
	replicator/repl_ratelog.c replicator/repl_ratelog.h \
	replicator/repl_gate.c replicator/repl_gate.h \
	replicator/repl_collect.c replicator/repl_collect.h \
	replicator/repl_http_server.c replicator/repl_http_server.h \
	replicator/repl_client.c replicator/repl_client.h \
	replicator/repl_drift.c replicator/repl_drift.h \
	replicator/repl_compact.c replicator/repl_compact.h \
	replicator/repl_client_internal.h replicator/repl_client_check.c \
	replicator/repl_client_status.c \
	replicator/repl_identity.c replicator/repl_identity.h
replicator_librepl_a_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS) $(MHD_CFLAGS) $(OPENSSL_CFLAGS)

REPL_LDADD = replicator/librepl.a state/libstate.a metrics/libmetrics.a conf/libconf.a base/libbase.a \
	$(CURL_LIBS) $(MHD_LIBS) $(OPENSSL_LIBS) $(SQLITE_LIBS) $(YAML_LIBS) -lm

sbin_PROGRAMS += meridian-replicator
meridian_replicator_SOURCES = replicator/repl_main.c
meridian_replicator_CPPFLAGS = $(replicator_librepl_a_CPPFLAGS)
meridian_replicator_LDADD = $(REPL_LDADD)

REPL_TEST_CPPFLAGS = $(replicator_librepl_a_CPPFLAGS) $(CMOCKA_CFLAGS)
REPL_TEST_LDADD = $(REPL_LDADD) $(CMOCKA_LIBS)
REPL_UNIT_TESTS = \
	tests/unit/replicator/test_auth \
	tests/unit/replicator/test_buf \
	tests/unit/replicator/test_codec \
	tests/unit/replicator/test_watch \
	tests/unit/replicator/test_identity
check_PROGRAMS += $(REPL_UNIT_TESTS)
TESTS += $(REPL_UNIT_TESTS)
tests_unit_replicator_test_auth_SOURCES = tests/unit/replicator/test_auth.c
tests_unit_replicator_test_auth_CPPFLAGS = $(REPL_TEST_CPPFLAGS)
tests_unit_replicator_test_auth_LDADD = $(REPL_TEST_LDADD)
tests_unit_replicator_test_buf_SOURCES = tests/unit/replicator/test_buf.c
tests_unit_replicator_test_buf_CPPFLAGS = $(REPL_TEST_CPPFLAGS)
tests_unit_replicator_test_buf_LDADD = $(REPL_TEST_LDADD)
tests_unit_replicator_test_codec_SOURCES = tests/unit/replicator/test_codec.c
tests_unit_replicator_test_codec_CPPFLAGS = $(REPL_TEST_CPPFLAGS)
tests_unit_replicator_test_codec_LDADD = $(REPL_TEST_LDADD)
tests_unit_replicator_test_watch_SOURCES = tests/unit/replicator/test_watch.c
tests_unit_replicator_test_watch_CPPFLAGS = $(REPL_TEST_CPPFLAGS)
tests_unit_replicator_test_watch_LDADD = $(REPL_TEST_LDADD)
tests_unit_replicator_test_identity_SOURCES = tests/unit/replicator/test_identity.c
tests_unit_replicator_test_identity_CPPFLAGS = $(REPL_TEST_CPPFLAGS)
tests_unit_replicator_test_identity_LDADD = $(REPL_TEST_LDADD)

# A writer standing in for meridianctl/healthcheck in functional tests and bench/: a test
# tool, not a test (tests/tools/).
check_PROGRAMS += tests/tools/repl_writer
tests_tools_repl_writer_SOURCES = tests/tools/repl_writer.c
tests_tools_repl_writer_CPPFLAGS = $(REPL_TEST_CPPFLAGS)
tests_tools_repl_writer_LDADD = state/libstate.a base/libbase.a $(SQLITE_LIBS) -lm

REPL_FUNCTIONAL_TESTS = \
	tests/functional/401-repl-relay/run.sh \
	tests/functional/402-repl-restart/run.sh \
	tests/functional/403-repl-refusals/run.sh \
	tests/functional/404-repl-crash/run.sh \
	tests/functional/405-repl-bootstrap/run.sh \
	tests/functional/406-repl-tls/run.sh \
	tests/functional/407-repl-dns-quorum/run.sh \
	tests/functional/408-repl-partition/run.sh \
	tests/functional/409-repl-check/run.sh \
	tests/functional/410-repl-utf8/run.sh \
	tests/functional/480-deploy-drift/run.sh \
	tests/functional/411-repl-json-keys/run.sh \
	tests/functional/412-repl-snapshot-cursors/run.sh \
	tests/functional/413-repl-relay-gap/run.sh \
	tests/functional/414-repl-conn-limits/run.sh \
	tests/functional/415-repl-refusal-log/run.sh \
	tests/functional/416-repl-clock-error/run.sh \
	tests/functional/417-repl-nonce-load/run.sh \
	tests/functional/418-repl-store-identity/run.sh \
	tests/functional/419-repl-digest/run.sh \
	tests/functional/420-repl-chaos/run.sh \
	tests/functional/421-repl-divergence-shown/run.sh
TESTS += $(REPL_FUNCTIONAL_TESTS)
EXTRA_DIST += $(REPL_FUNCTIONAL_TESTS) tests/functional/lib/repl.sh tests/functional/lib/repl_peer.py
dist_doc_DATA += docs/replication.md
EXTRA_DIST += bench/repl-lag.sh qa/chaos.sh
