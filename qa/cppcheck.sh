#!/usr/bin/env bash
# qa/cppcheck.sh -- static analysis of every C file with cppcheck (not part of CI)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v cppcheck >/dev/null || { echo "cppcheck not installed: apt-get install cppcheck"; exit 1; }
cppcheck --quiet --enable=warning,performance,portability --inline-suppr --error-exitcode=1 \
	--std=c11 -I . -I build -D__GNUC__ --suppress=missingIncludeSystem \
	base conf state bridge geo dnsd healthcheck replicator ctl
