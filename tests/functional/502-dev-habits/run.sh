#!/usr/bin/env bash
# 502-dev-habits: qa/install-deps.sh waits (bounded) for an apt/dpkg lock held by another
# apt; qa/run-checks.sh prints each test's line as it finishes, every style warning with
# its file:line, and its one-line summary. The scripts run on copies, with stub apt
# tools first in PATH: nothing is installed.
. "$(dirname "$0")/../lib.sh"

Q=$WORK/top/qa
mkdir -p "$Q" "$WORK/stub"
cp "$SRC/qa/install-deps.sh" "$SRC/qa/run-checks.sh" "$SRC/qa/style-check.sh" "$Q/"

# Stubs: root, no package installed, and an apt-get whose lists lock is held for
# $WORK/held more runs of `update`.
cat >"$WORK/stub/id" <<'SH'
#!/bin/sh
echo 0
SH
cat >"$WORK/stub/dpkg-query" <<'SH'
#!/bin/sh
exit 1
SH
cat >"$WORK/stub/apt-get" <<SH
#!/bin/sh
echo "\$*" >>"$WORK/apt-calls"
n=\$(cat "$WORK/held")
if [ "\$n" -gt 0 ]; then
	echo \$((n - 1)) >"$WORK/held"
	echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
	exit 100
fi
exit 0
SH
chmod +x "$WORK/stub/"*
stubbed() { PATH="$WORK/stub:$PATH" "$@"; }

echo 2 >"$WORK/held"
out=$(MERIDIAN_LOCK_WAIT=60 stubbed "$Q/install-deps.sh" 2>&1)
rc=$?
t_eq "install-deps: succeeds once the lock is free" 0 "$rc"
t_contains "install-deps: says it waits for the lock" "waiting for the apt/dpkg lock" "$out"
t_eq "install-deps: update retried until the lock was free, then install" "3 1" \
	"$(grep -c ' update' "$WORK/apt-calls") $(grep -c ' install' "$WORK/apt-calls")"
t_contains "install-deps: apt waits for the dpkg lock itself" "DPkg::Lock::Timeout=60" \
	"$(grep ' install' "$WORK/apt-calls")"

echo 1000000 >"$WORK/held"
out=$(MERIDIAN_LOCK_WAIT=2 stubbed "$Q/install-deps.sh" 2>&1)
rc=$?
t_check "install-deps: gives up (non-zero) when the lock stays held" [ "$rc" -ne 0 ]
t_contains "install-deps: says why it gave up" "still held after 2s" "$out"

# run-checks.sh on a source tree with one style warning and a build directory whose
# `make check` reports a test, then waits until we have seen that line (the recipe waits
# for $WORK/go against a deadline of 120 s, scaled like t_until's, not a count of sleeps).
mkdir -p "$WORK/top/x" "$WORK/top/build"
printf '/* SPDX-License-Identifier: MIT */\n/* a.c -- a banner that runs\n * past its line */\nint a;\n' >"$WORK/top/x/a.c"
cat >"$WORK/top/build/Makefile" <<MK
check:
	@echo "PASS: tests/one"
	@end=\$\$((\$\$(date +%s) + $((120 * T_WAIT_SCALE)))); \\
	while [ ! -f "$WORK/go" ] && [ \$\$(date +%s) -lt \$\$end ]; do sleep 0.1; done
	@echo "PASS: tests/two"
	@echo "SKIP: tests/three"
MK
(cd "$WORK/top" && "$Q/run-checks.sh" build >"$WORK/run-checks.out" 2>&1; echo $? >"$WORK/run-checks.rc") &
streamed=no
t_until 60 t_log_has "$WORK/run-checks.out" '^PASS: tests/one' && streamed=yes
touch "$WORK/go"
t_until 60 test -s "$WORK/run-checks.rc"
out=$(cat "$WORK/run-checks.out")
t_eq "run-checks: a test's line is printed while later tests still run" yes "$streamed"
t_contains "run-checks: every style warning with its file:line" \
	"x/a.c:2: warning: banner runs past one line" "$out"
t_eq "run-checks: the summary line" "build: 2 passed, 0 failed, 1 skipped" "$(tail -n 1 "$WORK/run-checks.out")"
t_eq "run-checks: exit status 0" 0 "$(cat "$WORK/run-checks.rc")"
t_done
