# examples/local.mk -- the example configuration make install puts under sysconfdir, the docs, the cluster example
# The example config and its zone go to $(sysconfdir)/meridian/ only when no file is
# there: make install never overwrites an operator's configuration, and make uninstall
# removes them only while they are still ours, unchanged.
EXAMPLE_CONF_DIR = $(sysconfdir)/meridian
noinst_DATA = examples/etc/meridian.yaml
CLEANFILES += examples/etc/meridian.yaml
EXTRA_DIST += examples/etc/meridian.yaml.in examples/etc/zones/example.com.zone
examples/etc/meridian.yaml: $(srcdir)/examples/etc/meridian.yaml.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && sed -e 's|[@]sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|[@]localstatedir[@]|$(localstatedir)|g' -e 's|[@]docdir[@]|$(docdir)|g' \
	$(srcdir)/examples/etc/meridian.yaml.in >$@.tmp && mv $@.tmp $@

install-data-local: examples/etc/meridian.yaml
	$(MKDIR_P) '$(DESTDIR)$(EXAMPLE_CONF_DIR)/zones' '$(DESTDIR)$(localstatedir)/lib/meridian'
	@if test -e '$(DESTDIR)$(EXAMPLE_CONF_DIR)/meridian.yaml'; then \
		echo "keeping $(DESTDIR)$(EXAMPLE_CONF_DIR)/meridian.yaml (the example is $(docdir)/examples/meridian.yaml)"; \
	else \
		echo " $(INSTALL_DATA) examples/etc/meridian.yaml '$(DESTDIR)$(EXAMPLE_CONF_DIR)/meridian.yaml'"; \
		$(INSTALL_DATA) examples/etc/meridian.yaml '$(DESTDIR)$(EXAMPLE_CONF_DIR)/meridian.yaml'; \
	fi
	@if test -e '$(DESTDIR)$(EXAMPLE_CONF_DIR)/zones/example.com.zone'; then \
		echo "keeping $(DESTDIR)$(EXAMPLE_CONF_DIR)/zones/example.com.zone"; \
	else \
		echo " $(INSTALL_DATA) $(srcdir)/examples/etc/zones/example.com.zone '$(DESTDIR)$(EXAMPLE_CONF_DIR)/zones/'"; \
		$(INSTALL_DATA) $(srcdir)/examples/etc/zones/example.com.zone '$(DESTDIR)$(EXAMPLE_CONF_DIR)/zones/example.com.zone'; \
	fi
	$(MKDIR_P) '$(DESTDIR)$(docdir)/examples'
	$(INSTALL_DATA) examples/etc/meridian.yaml '$(DESTDIR)$(docdir)/examples/meridian.yaml'

uninstall-local:
	-cmp -s examples/etc/meridian.yaml '$(DESTDIR)$(EXAMPLE_CONF_DIR)/meridian.yaml' && \
		rm -f '$(DESTDIR)$(EXAMPLE_CONF_DIR)/meridian.yaml'
	-cmp -s $(srcdir)/examples/etc/zones/example.com.zone \
		'$(DESTDIR)$(EXAMPLE_CONF_DIR)/zones/example.com.zone' && \
		rm -f '$(DESTDIR)$(EXAMPLE_CONF_DIR)/zones/example.com.zone'
	rm -f '$(DESTDIR)$(docdir)/examples/meridian.yaml'

# Every document, the README and NEWS go to $(docdir) too. A directory of its own for
# the install rule: a file also in dist_doc_DATA (a module may add its page there
# later) is then installed twice, not refused by install(1) as "just created".
alldocdir = $(docdir)
dist_alldoc_DATA = README.md NEWS docs/config.md docs/geo.md

# make install into a DESTDIR, every file checked; units by systemd-analyze.
EXAMPLES_FUNCTIONAL_TESTS = \
	tests/functional/506-install/run.sh \
	tests/functional/507-units/run.sh
TESTS += $(EXAMPLES_FUNCTIONAL_TESTS)
EXTRA_DIST += $(EXAMPLES_FUNCTIONAL_TESTS) tests/functional/lib/install.sh

# examples/cluster/: three regions on loopback and the script that runs them (README, Deploy).
EXTRA_DIST += examples/cluster/cluster.sh examples/cluster/us-east.yaml \
	examples/cluster/eu-west.yaml examples/cluster/ap-northeast.yaml \
	examples/cluster/replication.key examples/cluster/zones/example.com.zone
TESTS += tests/functional/510-cluster/run.sh
EXTRA_DIST += tests/functional/510-cluster/run.sh
