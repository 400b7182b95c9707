#!/usr/bin/env bash
# qa/build-deb.sh -- builds the Debian package from a make dist tarball and checks it with lintian
#
# usage: qa/build-deb.sh [OUTDIR]   (default deb-out)
# Makes the tarball (configuring build-deb/ first), extracts it in a scratch directory,
# runs `dpkg-buildpackage -us -uc -b` there, then lintian on the result (an error fails;
# warnings are printed), and copies the .deb, .buildinfo and .changes to OUTDIR.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-deb-out}" && cd "${1:-deb-out}" && pwd)
cd "$top"
if [ ! -f build-deb/Makefile ]; then
	[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null
	mkdir -p build-deb
	(cd build-deb && "$top/configure" -q)
fi
make -C build-deb -s dist >/dev/null
tarball=$(ls -t build-deb/meridian-*.tar.gz | head -n 1)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/meridian-deb.XXXXXX")
tar -xzf "$tarball" -C "$scratch"
cd "$scratch"/meridian-*/
echo "build-deb: dpkg-buildpackage in $PWD (log: $scratch/build.log)"
# As typed in a shell: not as part of a make run that called us.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
if ! dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$scratch/build.log" 2>&1; then
	tail -n 40 "$scratch/build.log"
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
fi
cd "$scratch"
changes=$(ls meridian_*.changes)
lintian_rc=0
lintian --fail-on error "$changes" >lintian.out 2>&1 || lintian_rc=$?
cat lintian.out
cp ./*.deb ./*.buildinfo "$changes" "$out/"
cp lintian.out "$out/"
echo "build-deb: $(ls "$out"/*.deb | tr '\n' ' ')"
[ "$lintian_rc" -eq 0 ] || { echo "build-deb: lintian found errors" >&2; exit 1; }
echo "build-deb: lintian: $(grep -c '^E:' lintian.out || true) errors, $(grep -c '^W:' lintian.out || true) warnings"
