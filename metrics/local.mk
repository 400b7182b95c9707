# metrics/local.mk -- libmetrics: Prometheus text exposition and the /metrics endpoint
noinst_LIBRARIES += metrics/libmetrics.a
metrics_libmetrics_a_SOURCES = metrics/metrics.c metrics/metrics.h metrics/metrics_http.c
metrics_libmetrics_a_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS)

check_PROGRAMS += tests/unit/metrics/test_metrics
TESTS += tests/unit/metrics/test_metrics
tests_unit_metrics_test_metrics_SOURCES = tests/unit/metrics/test_metrics.c
tests_unit_metrics_test_metrics_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_metrics_test_metrics_LDADD = metrics/libmetrics.a base/libbase.a $(MHD_LIBS) $(CMOCKA_LIBS)

# Every daemon's /metrics, checked with promtool; the alert rules and the dashboard.
TESTS += tests/functional/080-metrics/run.sh tests/functional/081-signals-stats/run.sh \
	tests/functional/082-status-check/run.sh tests/functional/083-status-views/run.sh
EXTRA_DIST += tests/functional/080-metrics/run.sh tests/functional/lib/obs.sh \
	tests/functional/081-signals-stats/run.sh tests/functional/082-status-check/run.sh \
	tests/functional/083-status-views/run.sh tests/functional/083-status-views/render.py \
	examples/prometheus-alerts.yml \
	examples/grafana-dashboard.json
