# base/local.mk -- libbase: compiler contracts and logging shared by every program
noinst_LIBRARIES += base/libbase.a
base_libbase_a_SOURCES = base/compiler.h base/log.c base/log.h base/timefmt.c base/timefmt.h \
	base/json_escape.c base/json_escape.h

check_PROGRAMS += tests/unit/base/test_json_escape
TESTS += tests/unit/base/test_json_escape
tests_unit_base_test_json_escape_SOURCES = tests/unit/base/test_json_escape.c
tests_unit_base_test_json_escape_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_base_test_json_escape_LDADD = base/libbase.a $(CMOCKA_LIBS)
