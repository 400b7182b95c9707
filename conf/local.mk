# conf/local.mk -- libconf: the YAML config, its option table, and the reference docs
noinst_LIBRARIES += conf/libconf.a
conf_libconf_a_SOURCES = \
	conf/conf.c \
	conf/conf.h \
	conf/conf_canon.c conf/conf_canon.h \
	conf/conf_cross.c \
	conf/conf_doc.c \
	conf/conf_doc.h \
	conf/conf_internal.h \
	conf/conf_options.c \
	conf/conf_types.c \
	conf/conf_values.c \
	conf/conf_walk.c \
	conf/conf_yaml.c
conf_libconf_a_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS)

# conf-doc prints docs/config.md from the option table.
noinst_PROGRAMS += conf/conf-doc
conf_conf_doc_SOURCES = conf/conf_doc_main.c
conf_conf_doc_LDADD = conf/libconf.a base/libbase.a $(YAML_LIBS)

check_PROGRAMS += tests/unit/conf/test_conf tests/unit/conf/test_conf_types \
	tests/unit/conf/test_conf_oom
TESTS += tests/unit/conf/test_conf tests/unit/conf/test_conf_types tests/unit/conf/test_conf_oom
tests_unit_conf_test_conf_SOURCES = tests/unit/conf/test_conf.c \
	tests/unit/conf/test_conf_errors.c tests/unit/conf/test_conf_cross.c \
	tests/unit/conf/conf_test.h
tests_unit_conf_test_conf_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) \
	-DCONF_TEST_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_conf_test_conf_LDADD = conf/libconf.a base/libbase.a $(YAML_LIBS) $(CMOCKA_LIBS)
tests_unit_conf_test_conf_types_SOURCES = tests/unit/conf/test_conf_types.c
tests_unit_conf_test_conf_types_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_conf_test_conf_types_LDADD = conf/libconf.a base/libbase.a $(YAML_LIBS) $(CMOCKA_LIBS)
tests_unit_conf_test_conf_oom_SOURCES = tests/unit/conf/test_conf_oom.c
tests_unit_conf_test_conf_oom_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) \
	-DCONF_TEST_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_conf_test_conf_oom_LDADD = conf/libconf.a base/libbase.a $(YAML_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/conf/test_conf_canon
TESTS += tests/unit/conf/test_conf_canon
tests_unit_conf_test_conf_canon_SOURCES = tests/unit/conf/test_conf_canon.c
tests_unit_conf_test_conf_canon_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_conf_test_conf_canon_LDADD = conf/libconf.a base/libbase.a $(YAML_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/unit/conf/full.yaml docs/config.md

# Regenerates docs/config.md after a change to conf/conf_options.c; the conf unit test
# fails while the committed file differs from what conf-doc prints.
update-config-doc: conf/conf-doc
	./conf/conf-doc > $(srcdir)/docs/config.md
.PHONY: update-config-doc
