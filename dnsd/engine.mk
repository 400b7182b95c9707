# dnsd/engine.mk -- dnsd engine library (zone store, parser, renderer); owned by the engine engineer
# dnsd/local.mk includes this file; meridian-dnsd links dnsd/libdnsd.a before state, conf
# and base, and adds $(LDNS_LIBS) (the zone loader uses ldns); the answer path calls
# geo_pick() (geo/libgeo.a, libm).
dnsd_engine_sources = \
	dnsd/dnsd_answer.c dnsd/dnsd_answer.h dnsd/dnsd_qtype.c \
	dnsd/dnsd_db.h \
	dnsd/dnsd_packet.c dnsd/dnsd_packet.h \
	dnsd/dnsd_render.c dnsd/dnsd_render.h \
	dnsd/dnsd_sec.h dnsd/dnsd_zone_sec.c \
	dnsd/dnsd_zone_sign.c dnsd/dnsd_zone_sign.h \
	dnsd/dnsd_zone_int.h dnsd/dnsd_zone_signed.c \
	dnsd/dnsd_answer_int.h dnsd/dnsd_answer_sec.c \
	dnsd/dnsd_zone.c dnsd/dnsd_zone.h \
	dnsd/dnsd_zone_read.c dnsd/dnsd_zone_read.h

noinst_LIBRARIES += dnsd/libdnsd.a
dnsd_libdnsd_a_SOURCES = $(dnsd_engine_sources)
dnsd_libdnsd_a_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS) $(OPENSSL_CFLAGS)

dnsd_engine_test_ldadd = dnsd/libdnsd.a geo/libgeo.a base/libbase.a $(LDNS_LIBS) $(OPENSSL_LIBS) $(CMOCKA_LIBS) -lm
dnsd_engine_test_cppflags = $(AM_CPPFLAGS) $(LDNS_CFLAGS) $(CMOCKA_CFLAGS)

dnsd_engine_tests = tests/unit/dnsd/test_zone tests/unit/dnsd/test_answer tests/unit/dnsd/test_answer_edns \
	tests/unit/dnsd/test_answer_fuzz tests/unit/dnsd/test_packet tests/unit/dnsd/test_answer_fast \
	tests/unit/dnsd/test_answer_peers tests/unit/dnsd/test_answer_dnssec
check_PROGRAMS += $(dnsd_engine_tests)
TESTS += $(dnsd_engine_tests)
tests_unit_dnsd_test_zone_SOURCES = tests/unit/dnsd/test_zone.c $(dnsd_engine_test_util)
tests_unit_dnsd_test_zone_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_zone_LDADD = $(dnsd_engine_test_ldadd)
dnsd_engine_test_util = tests/unit/dnsd/dnsd_test_util.c tests/unit/dnsd/dnsd_test_util.h \
	tests/unit/dnsd/dnsd_test_fixture.c tests/unit/dnsd/dnsd_test_fixture.h
tests_unit_dnsd_test_answer_SOURCES = tests/unit/dnsd/test_answer.c $(dnsd_engine_test_util)
tests_unit_dnsd_test_answer_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_answer_LDADD = $(dnsd_engine_test_ldadd)
tests_unit_dnsd_test_answer_edns_SOURCES = tests/unit/dnsd/test_answer_edns.c $(dnsd_engine_test_util)
tests_unit_dnsd_test_answer_edns_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_answer_edns_LDADD = $(dnsd_engine_test_ldadd)
tests_unit_dnsd_test_answer_fuzz_SOURCES = tests/unit/dnsd/test_answer_fuzz.c $(dnsd_engine_test_util)
tests_unit_dnsd_test_answer_fuzz_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_answer_fuzz_LDADD = $(dnsd_engine_test_ldadd)
tests_unit_dnsd_test_answer_fast_SOURCES = tests/unit/dnsd/test_answer_fast.c $(dnsd_engine_test_util)
tests_unit_dnsd_test_answer_fast_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_answer_fast_LDADD = $(dnsd_engine_test_ldadd)
tests_unit_dnsd_test_answer_peers_SOURCES = tests/unit/dnsd/test_answer_peers.c $(dnsd_engine_test_util)
tests_unit_dnsd_test_answer_peers_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_answer_peers_LDADD = $(dnsd_engine_test_ldadd)
tests_unit_dnsd_test_answer_dnssec_SOURCES = tests/unit/dnsd/test_answer_dnssec.c $(dnsd_engine_test_util)
tests_unit_dnsd_test_answer_dnssec_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_answer_dnssec_LDADD = $(dnsd_engine_test_ldadd)
tests_unit_dnsd_test_packet_SOURCES = tests/unit/dnsd/test_packet.c
tests_unit_dnsd_test_packet_CPPFLAGS = $(dnsd_engine_test_cppflags)
tests_unit_dnsd_test_packet_LDADD = $(dnsd_engine_test_ldadd)
dist_doc_DATA += docs/dnsd-answers.md
