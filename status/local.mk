# status/local.mk -- meridian-status: the read-only status page over state.db's views
bin_PROGRAMS += meridian-status
meridian_status_SOURCES = status/status_main.c status/status_page.c status/status_page.h
meridian_status_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) $(MHD_CFLAGS)
meridian_status_LDADD = conf/libconf.a base/libbase.a $(MHD_LIBS) $(SQLITE_LIBS) $(YAML_LIBS) -lm

# A real browser (headless Chromium) reads the page of one region while another drains.
TESTS += tests/functional/084-status-page/run.sh
EXTRA_DIST += tests/functional/084-status-page/run.sh docs/status-page.png
dist_doc_DATA += docs/status-page.md docs/metrics.md
