#!/usr/bin/env bash
# 508-tarball: a `make dist` tarball alone holds everything the README's commands need:
# extracted elsewhere, it has every file git tracks (but a few listed below), and the
# Quick start's test command runs there: qa/install-deps.sh (as root; it finds every
# package present), then qa/test-all.sh, here in a quick form (a few tests, no sanitizer
# run: TESTS and MERIDIAN_NO_SANITIZE, built with -O0). qa/tarball-check.sh runs the
# full form.
. "$(dirname "$0")/../lib.sh"

[ -z "${MERIDIAN_TARBALL_TEST:-}" ] || t_skip "already inside a tarball's test run"
[ -z "${MERIDIAN_SANITIZED:-}" ] || t_skip "run once, in the plain build (it builds the tarball again)"
name=meridian-tarball-test-$$
make -s -C "$BIN" dist distdir="$name" >"$WORK/dist.log" 2>&1 || {
	sed 's/^/#   /' "$WORK/dist.log" | tail -20
	t_abort "make dist"
}
mv "$BIN/$name.tar.gz" "$WORK/"
mkdir "$WORK/x"
tar -xzf "$WORK/$name.tar.gz" -C "$WORK/x" || t_abort "the tarball extracts"
T=$WORK/x/$name

if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	missing=$(cd "$SRC" && git ls-files | grep -vxE '\.gitignore|m4/\.keep' | while read -r f; do
		[ -e "$T/$f" ] || echo "$f"
	done)
	t_eq "every tracked file is in the tarball" "" "$missing"
fi
for f in README.md qa/install-deps.sh qa/build.sh qa/test-all.sh examples/demo.sh docs/geo.md configure; do
	t_check "the tarball has $f" [ -e "$T/$f" ]
done
t_check "qa/install-deps.sh, qa/test-all.sh are executable" [ -x "$T/qa/install-deps.sh" ] && [ -x "$T/qa/test-all.sh" ]

cd "$T" || exit 1
# As a user types them: not as part of this make check (its TESTS=, its jobserver).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
if [ "$(id -u)" -eq 0 ]; then
	MERIDIAN_LOCK_WAIT=60 qa/install-deps.sh >"$WORK/install-deps.log" 2>&1
	t_eq "qa/install-deps.sh in the tarball" 0 $?
fi
# -O0: the same build and checks, in about half the compile time (CI has two cores).
CFLAGS="-O0" MERIDIAN_TARBALL_TEST=1 MERIDIAN_NO_SANITIZE=1 \
	TESTS="tests/unit/conf/test_conf tests/functional/060-daemon-cli/run.sh tests/functional/503-man-pages/run.sh" \
	qa/test-all.sh >"$WORK/test-all.log" 2>&1
rc=$?
t_eq "qa/test-all.sh in the tarball (quick form)" 0 "$rc"
[ "$rc" -eq 0 ] || tail -n 40 "$WORK/test-all.log" | sed 's/^/#   /'
t_eq "its summary" "build: 3 passed, 0 failed, 0 skipped" "$(grep -E '^build: [0-9]+ passed' "$WORK/test-all.log")"
t_done
