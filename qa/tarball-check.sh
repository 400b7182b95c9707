#!/usr/bin/env bash
# qa/tarball-check.sh -- the README's test command, unchanged, in an extracted `make dist` tarball
#
# usage: qa/tarball-check.sh [BUILDDIR]   (default build; configured and built if needed)
# Makes the tarball in BUILDDIR, extracts it into a scratch directory and runs
# `qa/install-deps.sh && qa/test-all.sh` there: both builds and both full suites, so it
# takes as long as qa/test-all.sh. Test 508 runs a quicker form of the same in CI.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
cd "$top"
[ -f "$dir/Makefile" ] || qa/build.sh "$dir"
make -C "$dir" -s dist >/dev/null
tarball=$(ls -t "$dir"/meridian-*.tar.gz | head -n 1)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/meridian-tarball.XXXXXX")
tar -xzf "$tarball" -C "$scratch"
cd "$scratch"/meridian-*/
echo "tarball-check: $tarball in $PWD"
# The tarball's own test 508 would make a tarball of the tarball: once is enough.
export MERIDIAN_TARBALL_TEST=1
qa/install-deps.sh && qa/test-all.sh
echo "tarball-check: passed ($scratch kept)"
