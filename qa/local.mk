# qa/local.mk -- the developer scripts shipped in the tarball, and the tests of the habits they keep
# The README's two commands run from a release tarball too: every script they reach.
EXTRA_DIST += qa/README.md qa/install-deps.sh qa/build.sh qa/test-all.sh qa/run-checks.sh \
	qa/sanitize.sh qa/style-check.sh qa/style-known.txt qa/valgrind.sh qa/cppcheck.sh \
	qa/clang-tidy.sh

QA_FUNCTIONAL_TESTS = \
	tests/functional/501-start-together/run.sh \
	tests/functional/502-dev-habits/run.sh
TESTS += $(QA_FUNCTIONAL_TESTS)
EXTRA_DIST += $(QA_FUNCTIONAL_TESTS) tests/functional/500-install-lib/netns.sh
