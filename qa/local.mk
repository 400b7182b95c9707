# qa/local.mk -- the developer scripts shipped in the tarball, and the tests of the habits they keep
# The README's two commands run from a release tarball too: every script they reach.
EXTRA_DIST += qa/README.md qa/install-deps.sh qa/build.sh qa/test-all.sh qa/run-checks.sh \
	qa/sanitize.sh qa/style-check.sh qa/style-known.txt qa/valgrind.sh qa/cppcheck.sh \
	qa/clang-tidy.sh qa/tarball-check.sh qa/stress-tests.sh .ci/run .clang-format
# Scripts other modules keep outside their local.mk lists.
EXTRA_DIST += bench/bench_dns.py bench/failover.sh bench/failover_driver.py bench/hc-scale.sh bench/hc_scale_origin.py

QA_FUNCTIONAL_TESTS = \
	tests/functional/501-start-together/run.sh \
	tests/functional/502-dev-habits/run.sh \
	tests/functional/508-tarball/run.sh
TESTS += $(QA_FUNCTIONAL_TESTS)
EXTRA_DIST += $(QA_FUNCTIONAL_TESTS) tests/functional/lib/netns.sh

# The Debian packaging (qa/build-deb.sh builds it from a tarball, test 509 installs it;
# skipped unless MERIDIAN_DEB_TEST=1: too slow for every run).
TESTS += tests/functional/509-deb/run.sh
EXTRA_DIST += qa/build-deb.sh debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/meridian.sysusers tests/functional/509-deb/run.sh
