#!/usr/bin/env bash
# qa/clang-tidy.sh -- clang-tidy's bug-prone and analyzer checks over the sources (not part of CI)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -f build/config.h ] || qa/build.sh build
flags="-std=gnu11 -I. -Ibuild $(pkg-config --cflags ldns libmaxminddb libcurl sqlite3 yaml-0.1 liburcu-qsbr libmicrohttpd openssl)"
status=0
for f in $(git ls-files 'base/*.c' 'conf/*.c' 'state/*.c' 'bridge/*.c' 'geo/*.c' 'dnsd/*.c' 'healthcheck/*.c' 'replicator/*.c' 'ctl/*.c'); do
	clang-tidy --quiet -checks='-*,bugprone-*,clang-analyzer-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier' \
		"$f" -- $flags || status=1
done
exit $status
