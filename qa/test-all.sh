#!/usr/bin/env bash
# qa/test-all.sh -- the whole test suite: -Werror build + make check, then again under ASan+UBSan
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
status=0
"$top/qa/build.sh" build --enable-werror
"$top/qa/run-checks.sh" build || status=1
# MERIDIAN_NO_SANITIZE=1 stops after the first run (test 508's quick form).
[ -n "${MERIDIAN_NO_SANITIZE:-}" ] || "$top/qa/sanitize.sh" || status=1
exit $status
