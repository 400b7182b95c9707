# ctl/local.mk -- meridianctl, the operator's command line, and its tests
noinst_LIBRARIES += ctl/libctl.a
ctl_libctl_a_SOURCES = \
	ctl/ctl_args.c ctl/ctl_args.h \
	ctl/ctl_config.c ctl/ctl_config.h \
	ctl/ctl_diff.c \
	ctl/ctl_drift.c ctl/ctl_drift.h \
	ctl/ctl_events.c ctl/ctl_events.h ctl/ctl_peers.c ctl/ctl_peers.h ctl/ctl_geo.c ctl/ctl_geo.h \
	ctl/ctl_explain.c ctl/ctl_explain.h ctl/ctl_explain_print.c \
	ctl/ctl_format.c ctl/ctl_format.h \
	ctl/ctl_json.c ctl/ctl_json.h \
	ctl/ctl_override.c ctl/ctl_override.h \
	ctl/ctl_plan.c ctl/ctl_plan.h \
	ctl/ctl_state.c ctl/ctl_state.h \
	ctl/ctl_stats.c ctl/ctl_stats.h \
	ctl/ctl_status.c ctl/ctl_status.h \
	ctl/ctl_weight.c ctl/ctl_weight.h \
	ctl/ctl_zones.c ctl/ctl_zones.h
ctl_libctl_a_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) $(MAXMINDDB_CFLAGS) $(LDNS_CFLAGS)

CTL_LIBS = ctl/libctl.a geo/libgeo.a bridge/libbridge.a state/libstate.a conf/libconf.a \
	base/libbase.a $(LDNS_LIBS) $(MAXMINDDB_LIBS) $(SQLITE_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS) -lm

bin_PROGRAMS += meridianctl
meridianctl_SOURCES = ctl/ctl_main.c
meridianctl_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
meridianctl_LDADD = $(CTL_LIBS)

CTL_UNIT_TESTS = \
	tests/unit/ctl/test_args \
	tests/unit/ctl/test_json \
	tests/unit/ctl/test_format \
	tests/unit/ctl/test_output \
	tests/unit/ctl/test_explain
check_PROGRAMS += $(CTL_UNIT_TESTS)
TESTS += $(CTL_UNIT_TESTS)
CTL_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
CTL_TEST_LDADD = $(CTL_LIBS) $(CMOCKA_LIBS)

tests_unit_ctl_test_args_SOURCES = tests/unit/ctl/test_args.c
tests_unit_ctl_test_args_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_ctl_test_args_LDADD = $(CTL_TEST_LDADD)
tests_unit_ctl_test_json_SOURCES = tests/unit/ctl/test_json.c
tests_unit_ctl_test_json_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_ctl_test_json_LDADD = $(CTL_TEST_LDADD)
tests_unit_ctl_test_format_SOURCES = tests/unit/ctl/test_format.c
tests_unit_ctl_test_format_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_ctl_test_format_LDADD = $(CTL_TEST_LDADD)
tests_unit_ctl_test_output_SOURCES = tests/unit/ctl/test_output.c
tests_unit_ctl_test_output_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_ctl_test_output_LDADD = $(CTL_TEST_LDADD)
tests_unit_ctl_test_explain_SOURCES = tests/unit/ctl/test_explain.c
tests_unit_ctl_test_explain_CPPFLAGS = $(CTL_TEST_CPPFLAGS) $(MAXMINDDB_CFLAGS)
tests_unit_ctl_test_explain_LDADD = $(CTL_TEST_LDADD)

CTL_FUNCTIONAL_TESTS = \
	tests/functional/070-ctl-override/run.sh \
	tests/functional/071-ctl-errors/run.sh \
	tests/functional/072-ctl-expiry/run.sh \
	tests/functional/073-ctl-reload/run.sh \
	tests/functional/074-ctl-explain/run.sh \
	tests/functional/075-ctl-regions/run.sh \
	tests/functional/240-scheduled-maintenance/run.sh \
	tests/functional/243-runtime-weights/run.sh \
	tests/functional/244-plan/run.sh \
	tests/functional/245-repl-routing-state/run.sh
TESTS += $(CTL_FUNCTIONAL_TESTS)
EXTRA_DIST += $(CTL_FUNCTIONAL_TESTS) tests/functional/lib/ctl.sh \
	tests/functional/075-ctl-regions/origin.py

dist_doc_DATA += docs/meridianctl.md
