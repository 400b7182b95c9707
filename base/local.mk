# base/local.mk -- libbase: compiler contracts, logging, the DNS wire vocabulary, the strict JSON reader, and the daemons' shared command line
noinst_LIBRARIES += base/libbase.a
base_libbase_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
base_libbase_a_SOURCES = base/compiler.h base/log.c base/log.h base/timefmt.c base/timefmt.h \
	base/clock.c base/clock.h base/ipaddr.c base/ipaddr.h \
	base/json_escape.c base/json_escape.h base/json_doc.c base/json_doc.h base/log_repeat.c base/log_repeat.h \
	base/digest.c base/digest.h base/dns_wire.c base/dns_wire.h \
	base/daemon_cli.c base/daemon_cli.h base/daemon_pidfile.c base/daemon_pidfile.h \
	base/daemon_signal.c base/daemon_signal.h \
	base/daemon_service.c base/daemon_service.h

check_PROGRAMS += tests/unit/base/test_json_escape
TESTS += tests/unit/base/test_json_escape
tests_unit_base_test_json_escape_SOURCES = tests/unit/base/test_json_escape.c
tests_unit_base_test_json_escape_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_json_escape_LDADD = base/libbase.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/base/test_log
TESTS += tests/unit/base/test_log
tests_unit_base_test_log_SOURCES = tests/unit/base/test_log.c
tests_unit_base_test_log_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_log_LDADD = base/libbase.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/base/test_json_doc
TESTS += tests/unit/base/test_json_doc
tests_unit_base_test_json_doc_SOURCES = tests/unit/base/test_json_doc.c
tests_unit_base_test_json_doc_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_json_doc_LDADD = base/libbase.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/base/test_daemon_cli
TESTS += tests/unit/base/test_daemon_cli
tests_unit_base_test_daemon_cli_SOURCES = tests/unit/base/test_daemon_cli.c
tests_unit_base_test_daemon_cli_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_daemon_cli_LDADD = base/libbase.a $(CMOCKA_LIBS)

# The command line and lifecycle every program shares, run through one table.
TESTS += tests/functional/060-daemon-cli/run.sh
EXTRA_DIST += tests/functional/060-daemon-cli/run.sh
dist_doc_DATA += docs/operations.md

check_PROGRAMS += tests/unit/base/test_clock
TESTS += tests/unit/base/test_clock
tests_unit_base_test_clock_SOURCES = tests/unit/base/test_clock.c
tests_unit_base_test_clock_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_clock_LDADD = base/libbase.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/base/test_assert
TESTS += tests/unit/base/test_assert
tests_unit_base_test_assert_SOURCES = tests/unit/base/test_assert.c
tests_unit_base_test_assert_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_assert_LDADD = base/libbase.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/base/test_log_repeat
TESTS += tests/unit/base/test_log_repeat
tests_unit_base_test_log_repeat_SOURCES = tests/unit/base/test_log_repeat.c
tests_unit_base_test_log_repeat_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_log_repeat_LDADD = base/libbase.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/base/test_dns_wire
TESTS += tests/unit/base/test_dns_wire
tests_unit_base_test_dns_wire_SOURCES = tests/unit/base/test_dns_wire.c
tests_unit_base_test_dns_wire_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_dns_wire_LDADD = base/libbase.a $(CMOCKA_LIBS)
