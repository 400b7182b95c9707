#!/usr/bin/env bash
# qa/run-checks.sh -- runs make check in a build directory, one line per test as it ends, then a summary
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
cd "$dir" || exit 1
# The style contract's mechanical rules (qa/style-check.sh); its globals check reads
# this build's libraries. Every error and warning is printed with its file:line; the
# whole output is in style-check.out.
"$top/qa/style-check.sh" "$PWD" >style-check.out 2>&1
style_rc=$?
grep -E ': (error|warning): |^style-check:' style-check.out
# One line per test as it finishes (automake's harness prints it then), not at the end.
# TESTS in the environment runs only those (a quick run, e.g. test 508's); default all.
make -j"$(nproc)" check ${TESTS:+TESTS="$TESTS"} 2>&1 | tee make-check.out |
	grep --line-buffered -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):'
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	for log in $(grep -lE '^:test-result: (FAIL|ERROR)' $(find . -name '*.trs') 2>/dev/null); do
		echo "==== ${log%.trs}.log"
		tail -n 60 "${log%.trs}.log"
	done
	tail -n 30 make-check.out
fi
pass=$(grep -cE '^(PASS|XFAIL):' make-check.out)
fail=$(grep -cE '^(FAIL|XPASS|ERROR):' make-check.out)
skip=$(grep -cE '^SKIP:' make-check.out)
echo "$dir: $pass passed, $fail failed, $skip skipped"
[ $style_rc -eq 0 ] || echo "$dir: the style check failed (qa/style-check.sh; all of it in $dir/style-check.out)"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ] && [ $style_rc -eq 0 ]
