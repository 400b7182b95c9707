#!/usr/bin/env bash
# qa/valgrind.sh -- runs every cmocka unit test under valgrind memcheck (not part of CI)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
qa/build.sh build-valgrind CFLAGS="-O0 -g"
status=0
# memcheck runs curl and OpenSSL tens of times slower: tests with wall-clock deadlines
# (tests/unit/healthcheck/test_probe) stretch every deadline and bound by this factor.
export MERIDIAN_TEST_TIME_SCALE=10
for t in $(find build-valgrind/tests/unit -type f -perm -u+x -name 'test_*'); do
	echo "== $t"
	MERIDIAN_SRCDIR=$top MERIDIAN_BUILDDIR=$top/build-valgrind \
	valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$t" >/dev/null || status=1
done
exit $status
