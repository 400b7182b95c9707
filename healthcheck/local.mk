# healthcheck/local.mk -- meridian-healthcheck: probes, the loop, rise/fall, observations
noinst_LIBRARIES += healthcheck/libhc.a
healthcheck_libhc_a_SOURCES = \
	healthcheck/hc_loop.c healthcheck/hc_loop.h \
	healthcheck/hc_probe.c healthcheck/hc_probe.h \
	healthcheck/hc_probe_http.c \
	healthcheck/hc_probe_tcp.c \
	healthcheck/hc_probe_dns.c \
	healthcheck/hc_probe_exec.c \
	healthcheck/hc_contain.c healthcheck/hc_contain.h \
	healthcheck/hc_dns_packet.c healthcheck/hc_dns_packet.h \
	healthcheck/hc_health.c healthcheck/hc_health.h \
	healthcheck/hc_monitor.c healthcheck/hc_monitor.h \
	healthcheck/hc_writer.c healthcheck/hc_writer.h \
	healthcheck/hc_load.c healthcheck/hc_load.h \
	healthcheck/hc_load_parse.c healthcheck/hc_load_parse.h \
	healthcheck/hc_status.c healthcheck/hc_status.h
healthcheck_libhc_a_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_healthcheck_test_load_parse_SOURCES = tests/unit/healthcheck/test_load_parse.c
tests_unit_healthcheck_test_load_parse_CPPFLAGS = $(HC_TEST_CPPFLAGS)
tests_unit_healthcheck_test_load_parse_LDADD = healthcheck/libhc.a base/libbase.a $(SQLITE_LIBS) $(CMOCKA_LIBS) -lm
tests_unit_healthcheck_test_writer_SOURCES = tests/unit/healthcheck/test_writer.c
tests_unit_healthcheck_test_writer_CPPFLAGS = $(HC_TEST_CPPFLAGS)
tests_unit_healthcheck_test_writer_LDADD = healthcheck/libhc.a state/libstate.a \
	metrics/libmetrics.a base/libbase.a \
	$(SQLITE_LIBS) $(CMOCKA_LIBS) -lm -lpthread

sbin_PROGRAMS += meridian-healthcheck
meridian_healthcheck_SOURCES = healthcheck/hc_main.c
meridian_healthcheck_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS)
meridian_healthcheck_LDADD = healthcheck/libhc.a geo/libgeo.a bridge/libbridge.a state/libstate.a metrics/libmetrics.a \
	conf/libconf.a base/libbase.a $(MHD_LIBS) $(CURL_LIBS) $(SQLITE_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS) -lm -lpthread

HC_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
HC_TEST_LDADD = healthcheck/libhc.a metrics/libmetrics.a conf/libconf.a base/libbase.a $(CURL_LIBS) $(YAML_LIBS) $(CMOCKA_LIBS) -lpthread
HC_UNIT_TESTS = \
	tests/unit/healthcheck/test_health \
	tests/unit/healthcheck/test_dns_packet \
	tests/unit/healthcheck/test_loop \
	tests/unit/healthcheck/test_probe \
	tests/unit/healthcheck/test_monitor \
	tests/unit/healthcheck/test_writer \
	tests/unit/healthcheck/test_load_parse
check_PROGRAMS += $(HC_UNIT_TESTS)
TESTS += $(HC_UNIT_TESTS)
tests_unit_healthcheck_test_health_SOURCES = tests/unit/healthcheck/test_health.c
tests_unit_healthcheck_test_health_CPPFLAGS = $(HC_TEST_CPPFLAGS)
tests_unit_healthcheck_test_health_LDADD = $(HC_TEST_LDADD)
tests_unit_healthcheck_test_dns_packet_SOURCES = tests/unit/healthcheck/test_dns_packet.c
tests_unit_healthcheck_test_dns_packet_CPPFLAGS = $(HC_TEST_CPPFLAGS)
tests_unit_healthcheck_test_dns_packet_LDADD = $(HC_TEST_LDADD)
tests_unit_healthcheck_test_loop_SOURCES = tests/unit/healthcheck/test_loop.c
tests_unit_healthcheck_test_loop_CPPFLAGS = $(HC_TEST_CPPFLAGS)
tests_unit_healthcheck_test_loop_LDADD = $(HC_TEST_LDADD)
tests_unit_healthcheck_test_probe_SOURCES = tests/unit/healthcheck/test_probe.c \
	tests/unit/healthcheck/hc_test_origin.c tests/unit/healthcheck/hc_test_origin.h
tests_unit_healthcheck_test_probe_CPPFLAGS = $(HC_TEST_CPPFLAGS)
tests_unit_healthcheck_test_probe_LDADD = $(HC_TEST_LDADD)
tests_unit_healthcheck_test_monitor_SOURCES = tests/unit/healthcheck/test_monitor.c \
	tests/unit/healthcheck/hc_test_origin.c tests/unit/healthcheck/hc_test_origin.h
tests_unit_healthcheck_test_monitor_CPPFLAGS = $(HC_TEST_CPPFLAGS)
tests_unit_healthcheck_test_monitor_LDADD = $(HC_TEST_LDADD)

HC_FUNCTIONAL_TESTS = \
	tests/functional/301-hc-http/run.sh \
	tests/functional/302-hc-restart/run.sh \
	tests/functional/303-hc-exec-dns/run.sh \
	tests/functional/304-hc-reload/run.sh \
	tests/functional/305-hc-failover/run.sh \
	tests/functional/220-address-health/run.sh \
	tests/functional/221-transition-ttl-unbound/run.sh \
	tests/functional/306-hc-https/run.sh \
	tests/functional/307-hc-dns-tcp/run.sh \
	tests/functional/130-hc-exec-contain/run.sh \
	tests/functional/241-live-load/run.sh \
	tests/functional/242-load-spill/run.sh
TESTS += $(HC_FUNCTIONAL_TESTS)
EXTRA_DIST += $(HC_FUNCTIONAL_TESTS) \
	tests/functional/lib/hc.sh tests/functional/lib/origin.py \
	bench/transition-ttl.sh bench/transition_ttl_driver.py \
	tests/functional/241-live-load/pages.py
dist_doc_DATA += docs/healthcheck.md
