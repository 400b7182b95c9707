# man/local.mk -- the manual pages: section 8 from scdoc sources, section 5 from the option table
# meridian.yaml(5) is written by conf-doc from conf/conf_options.c, the table that also
# writes docs/config.md; the program pages are scdoc sources naming the installed paths.
MAN8_PAGES = man/meridian-dnsd.8 man/meridian-healthcheck.8 man/meridian-replicator.8 \
	man/meridianctl.8
man8_MANS = $(MAN8_PAGES)
man5_MANS = man/meridian.yaml.5
CLEANFILES += $(man8_MANS) $(man5_MANS)
EXTRA_DIST += man/meridian-dnsd.8.scd man/meridian-healthcheck.8.scd \
	man/meridian-replicator.8.scd man/meridianctl.8.scd man/scdoc-tidy.awk man/man-subst.sh

# The paths a page names are the ones this build installs to (man/man-subst.sh).
MAN_SUBST = $(SHELL) $(srcdir)/man/man-subst.sh '$(sysconfdir)' '$(localstatedir)' '$(docdir)' <
MAN_SCDOC = $(AM_V_GEN)$(MKDIR_P) man && $(MAN_SUBST) $< | $(SCDOC) | \
	$(AWK) -f $(srcdir)/man/scdoc-tidy.awk >$@.tmp && mv $@.tmp $@
man/meridian-dnsd.8: $(srcdir)/man/meridian-dnsd.8.scd $(srcdir)/man/scdoc-tidy.awk $(srcdir)/man/man-subst.sh Makefile
	$(MAN_SCDOC)
man/meridian-healthcheck.8: $(srcdir)/man/meridian-healthcheck.8.scd $(srcdir)/man/scdoc-tidy.awk $(srcdir)/man/man-subst.sh Makefile
	$(MAN_SCDOC)
man/meridian-replicator.8: $(srcdir)/man/meridian-replicator.8.scd $(srcdir)/man/scdoc-tidy.awk $(srcdir)/man/man-subst.sh Makefile
	$(MAN_SCDOC)
man/meridianctl.8: $(srcdir)/man/meridianctl.8.scd $(srcdir)/man/scdoc-tidy.awk $(srcdir)/man/man-subst.sh Makefile
	$(MAN_SCDOC)
man/meridian.yaml.5: conf/conf-doc$(EXEEXT) Makefile
	$(AM_V_GEN)$(MKDIR_P) man && ./conf/conf-doc$(EXEEXT) --man '$(sysconfdir)' >$@.tmp && mv $@.tmp $@

# Every page lints clean (mandoc -T lint, warnings and errors), names every option its
# program's --help shows, and meridian.yaml(5) every key of docs/config.md.
TESTS += tests/functional/503-man-pages/run.sh
EXTRA_DIST += tests/functional/503-man-pages/run.sh
