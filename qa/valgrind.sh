#!/usr/bin/env bash
# qa/valgrind.sh -- runs every cmocka unit test under valgrind memcheck (not part of CI)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
qa/build.sh build-valgrind CFLAGS="-O0 -g"
status=0
for t in $(find build-valgrind/tests/unit -type f -perm -u+x -name 'test_*'); do
	echo "== $t"
	MERIDIAN_SRCDIR=$top MERIDIAN_BUILDDIR=$top/build-valgrind \
	valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$t" >/dev/null || status=1
done
exit $status
