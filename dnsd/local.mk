# dnsd/local.mk -- meridian-dnsd: sockets, threads, snapshots, reload (the engine is in engine.mk)
include dnsd/engine.mk

sbin_PROGRAMS += meridian-dnsd
meridian_dnsd_SOURCES = \
	dnsd/dnsd_main.c \
	dnsd/dnsd_metrics.c dnsd/dnsd_metrics.h \
	dnsd/dnsd_reload.c dnsd/dnsd_reload.h \
	dnsd/dnsd_deploy.c dnsd/dnsd_deploy.h \
	dnsd/dnsd_server.c dnsd/dnsd_server.h \
	dnsd/dnsd_server_tcp.c dnsd/dnsd_server_tcp.h \
	dnsd/dnsd_socket.c dnsd/dnsd_socket.h \
	dnsd/dnsd_rrl.c dnsd/dnsd_rrl.h \
	dnsd/dnsd_cookie.c dnsd/dnsd_cookie.h \
	dnsd/dnsd_snapshot.c dnsd/dnsd_snapshot.h \
	dnsd/dnsd_geodb.c dnsd/dnsd_geodb.h
meridian_dnsd_CPPFLAGS = $(AM_CPPFLAGS) $(URCU_CFLAGS) $(SQLITE_CFLAGS) $(MAXMINDDB_CFLAGS) $(OPENSSL_CFLAGS)
meridian_dnsd_LDADD = dnsd/libdnsd.a geo/libgeo.a bridge/libbridge.a state/libstate.a metrics/libmetrics.a \
	conf/libconf.a base/libbase.a $(MHD_LIBS) \
	$(LDNS_LIBS) $(OPENSSL_LIBS) $(MAXMINDDB_LIBS) $(SQLITE_LIBS) $(YAML_LIBS) $(URCU_LIBS) -lm

DNSD_FUNCTIONAL_TESTS = \
	tests/functional/101-dnsd-answers/run.sh \
	tests/functional/102-dnsd-errors/run.sh \
	tests/functional/103-dnsd-tcp/run.sh \
	tests/functional/104-dnsd-check/run.sh \
	tests/functional/105-dnsd-reload/run.sh \
	tests/functional/106-dnsd-malformed/run.sh \
	tests/functional/107-dnsd-state/run.sh \
	tests/functional/108-dnsd-listen/run.sh \
	tests/functional/109-dnsd-fd-limit/run.sh \
	tests/functional/110-dnsd-no-fragments/run.sh \
	tests/functional/131-dnsd-tcp-fair/run.sh \
	tests/functional/132-dnsd-rrl/run.sh \
	tests/functional/151-dnsd-dnssec-presigned/run.sh \
	tests/functional/152-dnsd-differential/run.sh \
	tests/functional/133-dnsd-cookies/run.sh \
	tests/functional/153-dnsd-dnssec-sign-at-load/run.sh \
	tests/functional/134-dnsd-zone-not-a-file/run.sh
TESTS += $(DNSD_FUNCTIONAL_TESTS)
EXTRA_DIST += $(DNSD_FUNCTIONAL_TESTS) tests/functional/lib/dnsd.sh \
	tests/functional/131-dnsd-tcp-fair/fair.py tests/functional/132-dnsd-rrl/flood.py \
	tests/functional/lib/dnssec.sh tests/functional/152-dnsd-differential/diff.py \
	tests/functional/152-dnsd-differential/zone.example.com \
	tests/functional/152-dnsd-differential/zone.child.example.com \
	tests/functional/152-dnsd-differential/zone.nods.example.com

# bench/: the batching load generator (built, never run by make check).
noinst_PROGRAMS += bench/dnsload bench/udp-floor
bench_dnsload_SOURCES = bench/dnsload.c
bench_dnsload_LDADD = base/libbase.a
bench_udp_floor_SOURCES = bench/udp-floor.c

# Unit tests of the snapshot layer (the engine's own tests are in engine.mk).
check_PROGRAMS += tests/unit/dnsd/test_snapshot
TESTS += tests/unit/dnsd/test_snapshot
tests_unit_dnsd_test_snapshot_SOURCES = tests/unit/dnsd/test_snapshot.c \
	tests/unit/dnsd/dnsd_test_util.c tests/unit/dnsd/dnsd_test_util.h \
	dnsd/dnsd_snapshot.c dnsd/dnsd_geodb.c
tests_unit_dnsd_test_snapshot_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS) $(URCU_CFLAGS) \
	$(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_dnsd_test_snapshot_LDADD = dnsd/libdnsd.a geo/libgeo.a bridge/libbridge.a state/libstate.a conf/libconf.a \
	base/libbase.a $(LDNS_LIBS) $(OPENSSL_LIBS) $(MAXMINDDB_LIBS) $(SQLITE_LIBS) $(YAML_LIBS) $(URCU_LIBS) \
	$(CMOCKA_LIBS) -lm

# DNS cookies (RFC 9018 vectors) and RRL
check_PROGRAMS += tests/unit/dnsd/test_cookie
TESTS += tests/unit/dnsd/test_cookie
tests_unit_dnsd_test_cookie_SOURCES = tests/unit/dnsd/test_cookie.c dnsd/dnsd_cookie.c
tests_unit_dnsd_test_cookie_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_dnsd_test_cookie_LDADD = dnsd/libdnsd.a conf/libconf.a base/libbase.a $(LDNS_LIBS) \
	$(YAML_LIBS) $(OPENSSL_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/dnsd/test_rrl
TESTS += tests/unit/dnsd/test_rrl
tests_unit_dnsd_test_rrl_SOURCES = tests/unit/dnsd/test_rrl.c dnsd/dnsd_rrl.c
tests_unit_dnsd_test_rrl_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_dnsd_test_rrl_LDADD = $(CMOCKA_LIBS)

# Shipped with the sources: the demo, the benchmark scripts, the fuzz harness, the docs.
EXTRA_DIST += examples/meridian.yaml examples/zones/example.com.zone examples/demo.sh \
	bench/static-vs-peers.sh bench/README.md qa/fuzz-dnsd.sh qa/fuzz/dnsd_fuzz.c \
	bench/geo-vs-gdnsd.sh bench/geo-vs-gdnsd/geo-queries.py bench/bench-lib.sh bench/rrl-cookies.sh \
	bench/metrics-overhead.sh bench/metrics-ir.sh \
	bench/dnssec.sh
dist_doc_DATA += docs/dnsd-server.md
