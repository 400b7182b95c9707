#!/usr/bin/env bash
# qa/build.sh -- configures and builds into a build directory: qa/build.sh DIR [configure args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}; shift || true
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null
mkdir -p "$dir"
cd "$dir"
"$top/configure" -q "$@"
make -j"$(nproc)" >/dev/null
make -j"$(nproc)" check TESTS= >/dev/null
