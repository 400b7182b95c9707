#!/usr/bin/env bash
# qa/run-checks.sh -- runs make check in a build directory and prints one summary line
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
cd "$dir" || exit 1
# The style contract's mechanical rules (qa/style-check.sh); its globals check reads
# this build's libraries. Warnings are in style-check.out.
"$top/qa/style-check.sh" "$PWD" >style-check.out 2>&1
style_rc=$?
grep -E ': error: |^style-check:' style-check.out
make -j"$(nproc)" check >make-check.out 2>&1
rc=$?
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' make-check.out || true
if [ $rc -ne 0 ]; then
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
[ $rc -eq 0 ] && [ "$fail" -eq 0 ] && [ $style_rc -eq 0 ]
