#!/usr/bin/env bash
# qa/sanitize.sh -- builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$top/qa/build.sh" build-asan --enable-werror \
	CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	LDFLAGS="-fsanitize=address,undefined"
MERIDIAN_SANITIZED=1 "$top/qa/run-checks.sh" build-asan
