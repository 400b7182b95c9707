# state/local.mk -- libstate: the SQLite store, change log, HLC and verdict
noinst_LIBRARIES += state/libstate.a
state_libstate_a_SOURCES = \
	state/state.c state/state.h state/state_internal.h state/state_params.h \
	state/state_schema.c \
	state/state_hlc.c state/state_hlc.h \
	state/state_changelog.c state/state_json_check.c \
	state/state_snapshot.c \
	state/state_rows.c \
	state/state_verdict.c state/state_verdict.h \
	state/state_hold.c \
	state/state_verdict_addr.c \
	state/state_guard.c state/state_guard.h \
	state/state_peer_origins.c \
	state/state_status.c state/state_status.h \
	state/state_deploy.c state/state_deploy.h state/state_deploy_build.c \
	state/state_identity.c \
	state/state_load.c state/state_load.h \
	state/state_weight.c state/state_weight.h \
	state/state_capacity.c state/state_capacity.h \
	state/state_digest.c
state_libstate_a_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)

STATE_TEST_LDADD = state/libstate.a base/libbase.a $(SQLITE_LIBS) $(CMOCKA_LIBS) -lm
STATE_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
STATE_TESTS = \
	tests/unit/state/test_hlc \
	tests/unit/state/test_store \
	tests/unit/state/test_changelog \
	tests/unit/state/test_verdict \
	tests/unit/state/test_verdict_addr \
	tests/unit/state/test_hold \
	tests/unit/state/test_guard \
	tests/unit/state/test_peer_origins \
	tests/unit/state/test_deploy \
	tests/unit/state/test_snapshot \
	tests/unit/state/test_identity
check_PROGRAMS += $(STATE_TESTS)
TESTS += $(STATE_TESTS)

tests_unit_state_test_hlc_SOURCES = tests/unit/state/test_hlc.c tests/unit/state/state_test.h
tests_unit_state_test_hlc_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_hlc_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_store_SOURCES = tests/unit/state/test_store.c tests/unit/state/state_test.h
tests_unit_state_test_store_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_store_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_verdict_addr_SOURCES = tests/unit/state/test_verdict_addr.c tests/unit/state/state_test.h
tests_unit_state_test_verdict_addr_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_verdict_addr_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_changelog_SOURCES = tests/unit/state/test_changelog.c tests/unit/state/state_test.h
tests_unit_state_test_changelog_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_changelog_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_verdict_SOURCES = tests/unit/state/test_verdict.c tests/unit/state/state_test.h
tests_unit_state_test_verdict_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_verdict_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_hold_SOURCES = tests/unit/state/test_hold.c tests/unit/state/state_test.h
tests_unit_state_test_hold_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_hold_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_guard_SOURCES = tests/unit/state/test_guard.c tests/unit/state/state_test.h
tests_unit_state_test_guard_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_guard_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_peer_origins_SOURCES = tests/unit/state/test_peer_origins.c tests/unit/state/state_test.h
tests_unit_state_test_peer_origins_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_peer_origins_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_snapshot_SOURCES = tests/unit/state/test_snapshot.c tests/unit/state/state_test.h
tests_unit_state_test_snapshot_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_snapshot_LDADD = $(STATE_TEST_LDADD)
tests_unit_state_test_identity_SOURCES = tests/unit/state/test_identity.c tests/unit/state/state_test.h
tests_unit_state_test_identity_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_identity_LDADD = $(STATE_TEST_LDADD)

dist_doc_DATA += docs/schema.md docs/verdict.md
tests_unit_state_test_deploy_SOURCES = tests/unit/state/test_deploy.c tests/unit/state/state_test.h
tests_unit_state_test_deploy_CPPFLAGS = $(STATE_TEST_CPPFLAGS)
tests_unit_state_test_deploy_LDADD = $(STATE_TEST_LDADD)

# The verdict under real faults (clock skew, restarts, isolation, fail-open order, flapping).
VERDICT_FUNCTIONAL_TESTS = \
	tests/functional/310-hc-restart-no-revival/run.sh \
	tests/functional/451-verdict-clock-skew/run.sh \
	tests/functional/452-verdict-isolation/run.sh \
	tests/functional/453-verdict-fail-open-order/run.sh \
	tests/functional/454-verdict-silence-hold/run.sh \
	tests/functional/455-verdict-flap-damping/run.sh
TESTS += $(VERDICT_FUNCTIONAL_TESTS)
EXTRA_DIST += $(VERDICT_FUNCTIONAL_TESTS) tests/functional/lib/verdict.sh \
	bench/flap.sh bench/flap_origin.py
