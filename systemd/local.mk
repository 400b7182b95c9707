# systemd/local.mk -- the systemd units, the meridian system user (sysusers.d) and its state directory (tmpfiles.d)
# Each unit is its .service.in with the installed paths and the shared sandbox
# (systemd/hardening.conf) pasted in for @HARDENING@.
systemdsystemunit_DATA = systemd/meridian-dnsd.service systemd/meridian-healthcheck.service \
	systemd/meridian-replicator.service
sysusers_DATA = systemd/meridian.conf
tmpfiles_DATA = systemd/tmpfiles/meridian.conf
CLEANFILES += $(systemdsystemunit_DATA) $(sysusers_DATA) $(tmpfiles_DATA)
EXTRA_DIST += systemd/meridian-dnsd.service.in systemd/meridian-healthcheck.service.in \
	systemd/meridian-replicator.service.in systemd/hardening.conf systemd/meridian.sysusers \
	systemd/meridian.tmpfiles.in

SYSTEMD_SUBST = $(AM_V_GEN)$(MKDIR_P) $(@D) && $(AWK) -v h=$(srcdir)/systemd/hardening.conf \
	'/^@HARDENING@$$/ { while ((getline l < h) > 0) if (l !~ /^\#/) print l; close(h); next } { print }' \
	$< | sed -e 's|[@]sbindir[@]|$(sbindir)|g' -e 's|[@]sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|[@]localstatedir[@]|$(localstatedir)|g' >$@.tmp && mv $@.tmp $@
systemd/meridian-dnsd.service: $(srcdir)/systemd/meridian-dnsd.service.in $(srcdir)/systemd/hardening.conf Makefile
	$(SYSTEMD_SUBST)
systemd/meridian-healthcheck.service: $(srcdir)/systemd/meridian-healthcheck.service.in $(srcdir)/systemd/hardening.conf Makefile
	$(SYSTEMD_SUBST)
systemd/meridian-replicator.service: $(srcdir)/systemd/meridian-replicator.service.in $(srcdir)/systemd/hardening.conf Makefile
	$(SYSTEMD_SUBST)
systemd/meridian.conf: $(srcdir)/systemd/meridian.sysusers
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $(srcdir)/systemd/meridian.sysusers $@
systemd/tmpfiles/meridian.conf: $(srcdir)/systemd/meridian.tmpfiles.in Makefile
	$(SYSTEMD_SUBST)

# Readiness (sd_notify), the drop from root, and the units checked by systemd-analyze.
SYSTEMD_FUNCTIONAL_TESTS = \
	tests/functional/504-notify/run.sh \
	tests/functional/505-privdrop/run.sh
TESTS += $(SYSTEMD_FUNCTIONAL_TESTS)
EXTRA_DIST += $(SYSTEMD_FUNCTIONAL_TESTS) tests/functional/lib/notify-listen.py
