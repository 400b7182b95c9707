# geo/local.mk -- libgeo: mmdb lookup, distance, rules compiled into ECS-aware tries
noinst_LIBRARIES += geo/libgeo.a
geo_libgeo_a_CPPFLAGS = $(AM_CPPFLAGS) $(MAXMINDDB_CFLAGS)
geo_libgeo_a_SOURCES = \
	geo/geo.h \
	geo/geo_addr.c geo/geo_addr.h \
	geo/geo_set.c geo/geo_set.h \
	geo/geo_conf.c geo/geo_conf.h \
	geo/geo_db.c geo/geo_db.h \
	geo/geo_direct.c geo/geo_direct.h \
	geo/geo_distance.c geo/geo_distance.h \
	geo/geo_explain.c geo/geo_explain.h \
	geo/geo_ident.c geo/geo_ident.h \
	geo/geo_order.c geo/geo_order.h \
	geo/geo_pick.c geo/geo_pick.h \
	geo/geo_pick_conf.c geo/geo_pick_conf.h \
	geo/geo_capacity.c geo/geo_capacity.h \
	geo/geo_mmdb.c geo/geo_mmdb.h \
	geo/geo_trie.c geo/geo_trie.h geo/geo_trie_internal.h

# Test databases, generated from the script at check time (never copied from elsewhere).
GEO_TEST_MMDB = tests/data/test-city.mmdb tests/data/test-city-v4.mmdb tests/data/test-country.mmdb
tests/data/test-mmdb.stamp: $(top_srcdir)/tests/data/make-test-mmdb.pl
	@$(MKDIR_P) tests/data
	$(AM_V_GEN)perl $(top_srcdir)/tests/data/make-test-mmdb.pl tests/data && touch $@
$(GEO_TEST_MMDB): tests/data/test-mmdb.stamp
EXTRA_DIST += tests/data/make-test-mmdb.pl
CLEANFILES += tests/data/test-mmdb.stamp $(GEO_TEST_MMDB)

GEO_UNIT_TESTS = \
	tests/unit/geo/test_geo_trie \
	tests/unit/geo/test_geo_db \
	tests/unit/geo/test_geo_distance \
	tests/unit/geo/test_geo_explain \
	tests/unit/geo/test_geo_conf \
	tests/unit/geo/test_geo_addr \
	tests/unit/geo/test_geo_order \
	tests/unit/geo/test_geo_direct \
	tests/unit/geo/test_geo_pick \
	tests/unit/geo/test_geo_capacity
check_PROGRAMS += $(GEO_UNIT_TESTS)
TESTS += $(GEO_UNIT_TESTS)
GEO_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(MAXMINDDB_CFLAGS) $(CMOCKA_CFLAGS)
GEO_TEST_LDADD = geo/libgeo.a conf/libconf.a base/libbase.a $(MAXMINDDB_LIBS) $(YAML_LIBS) $(CMOCKA_LIBS) -lm

tests_unit_geo_test_geo_trie_SOURCES = tests/unit/geo/test_geo_trie.c tests/unit/geo/geo_test_util.h
tests_unit_geo_test_geo_trie_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_trie_LDADD = $(GEO_TEST_LDADD)
EXTRA_tests_unit_geo_test_geo_trie_DEPENDENCIES = tests/data/test-mmdb.stamp

tests_unit_geo_test_geo_db_SOURCES = tests/unit/geo/test_geo_db.c tests/unit/geo/geo_test_util.h
tests_unit_geo_test_geo_db_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_db_LDADD = $(GEO_TEST_LDADD)
EXTRA_tests_unit_geo_test_geo_db_DEPENDENCIES = tests/data/test-mmdb.stamp

tests_unit_geo_test_geo_distance_SOURCES = tests/unit/geo/test_geo_distance.c
tests_unit_geo_test_geo_distance_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_distance_LDADD = $(GEO_TEST_LDADD)

tests_unit_geo_test_geo_explain_SOURCES = tests/unit/geo/test_geo_explain.c tests/unit/geo/geo_test_util.h
tests_unit_geo_test_geo_explain_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_explain_LDADD = $(GEO_TEST_LDADD)
EXTRA_tests_unit_geo_test_geo_explain_DEPENDENCIES = tests/data/test-mmdb.stamp

tests_unit_geo_test_geo_conf_SOURCES = tests/unit/geo/test_geo_conf.c tests/unit/geo/geo_test_util.h
tests_unit_geo_test_geo_conf_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_conf_LDADD = geo/libgeo.a conf/libconf.a base/libbase.a $(MAXMINDDB_LIBS) $(YAML_LIBS) \
	$(CMOCKA_LIBS) -lm
EXTRA_tests_unit_geo_test_geo_conf_DEPENDENCIES = tests/data/test-mmdb.stamp

# Benchmark helpers: bench/geo-synth.pl writes a large synthetic City database;
# bench/geo-load-time measures decode + compile time, memory and lookup rate on it.
noinst_PROGRAMS += bench/geo-load-time
bench_geo_load_time_SOURCES = bench/geo-load-time.c
bench_geo_load_time_CPPFLAGS = $(AM_CPPFLAGS) $(MAXMINDDB_CFLAGS)
bench_geo_load_time_LDADD = geo/libgeo.a conf/libconf.a base/libbase.a $(MAXMINDDB_LIBS) $(YAML_LIBS) -lm
EXTRA_DIST += bench/geo-synth.pl

# bench/capacity-spill: the load table before and after a datacenter fails, with and
# without capacity-aware spill (bench/capacity-spill.sh).
noinst_PROGRAMS += bench/capacity-spill
bench_capacity_spill_SOURCES = bench/capacity-spill.c
bench_capacity_spill_CPPFLAGS = $(AM_CPPFLAGS) $(MAXMINDDB_CFLAGS)
bench_capacity_spill_LDADD = geo/libgeo.a conf/libconf.a base/libbase.a $(MAXMINDDB_LIBS) $(YAML_LIBS) -lm
# bench/geo-pick-time: ns per answer choice (trie lookup + geo_pick()) per record.
noinst_PROGRAMS += bench/geo-pick-time
bench_geo_pick_time_SOURCES = bench/geo-pick-time.c
bench_geo_pick_time_CPPFLAGS = $(AM_CPPFLAGS) $(MAXMINDDB_CFLAGS)
bench_geo_pick_time_LDADD = geo/libgeo.a conf/libconf.a base/libbase.a $(MAXMINDDB_LIBS) $(YAML_LIBS) \
	-lm -lpthread
EXTRA_DIST += bench/capacity-spill.sh bench/geo-weights.sh

tests_unit_geo_test_geo_addr_SOURCES = tests/unit/geo/test_geo_addr.c
tests_unit_geo_test_geo_addr_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_addr_LDADD = $(GEO_TEST_LDADD)

tests_unit_geo_test_geo_order_SOURCES = tests/unit/geo/test_geo_order.c tests/unit/geo/geo_test_util.h
tests_unit_geo_test_geo_order_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_order_LDADD = $(GEO_TEST_LDADD)

tests_unit_geo_test_geo_direct_SOURCES = tests/unit/geo/test_geo_direct.c tests/unit/geo/geo_test_util.h
tests_unit_geo_test_geo_direct_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_direct_LDADD = $(GEO_TEST_LDADD)
EXTRA_tests_unit_geo_test_geo_direct_DEPENDENCIES = tests/data/test-mmdb.stamp

# The synthetic database generator and the load-time bench, small, as a check.
TESTS += tests/unit/geo/geo-synth-check.sh
EXTRA_DIST += tests/unit/geo/geo-synth-check.sh
tests/unit/geo/geo-synth-check.log: bench/geo-load-time$(EXEEXT)

# meridian-dnsd's start-up in direct mode, then the compiled tries (geo_direct.h).
TESTS += tests/functional/111-dnsd-geo-start/run.sh
EXTRA_DIST += tests/functional/111-dnsd-geo-start/run.sh

tests_unit_geo_test_geo_capacity_SOURCES = tests/unit/geo/test_geo_capacity.c \
	tests/unit/geo/geo_test_util.h
tests_unit_geo_test_geo_capacity_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_capacity_LDADD = $(GEO_TEST_LDADD)
EXTRA_tests_unit_geo_test_geo_capacity_DEPENDENCIES = tests/data/test-mmdb.stamp
tests_unit_geo_test_geo_pick_SOURCES = tests/unit/geo/test_geo_pick.c
tests_unit_geo_test_geo_pick_CPPFLAGS = $(GEO_TEST_CPPFLAGS)
tests_unit_geo_test_geo_pick_LDADD = $(GEO_TEST_LDADD)

# One pick rule: explain equals meridian-dnsd for 10k clients per database, splits,
# weight changes and ECS scopes measured against the running server (docs/routing.md).
TESTS += tests/functional/200-routing-explain-dnsd/run.sh
EXTRA_DIST += tests/functional/200-routing-explain-dnsd/run.sh \
	tests/functional/200-routing-explain-dnsd/dnsq.py \
	tests/functional/200-routing-explain-dnsd/compare.py
dist_doc_DATA += docs/routing.md
