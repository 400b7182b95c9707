#!/usr/bin/env bash
# 340-fuzz-short: every libFuzzer harness of qa/fuzz/ (qa/fuzz.sh: the UDP batch path
# with its differential check, ECS, TCP framing, the zone loader, the YAML config, the
# mmdb loader, the replicator's pull/batch/snapshot decoders, the dns probe's answer
# parser, the load readings' JSON and Prometheus pages) built with ASan+UBSan and run for FUZZ_CHECK_SECONDS (default 2) each from its
# seed corpus. Skipped when clang cannot build fuzzers. Longer runs: qa/fuzz.sh -s 600.
. "$(dirname "$0")/../lib.sh"

# The harnesses are ASan+UBSan builds of their own: the sanitized suite need not build them again.
[ -n "${MERIDIAN_SANITIZED:-}" ] && t_skip "run by the -Werror build's suite (the harnesses are sanitized builds)"
rc=0
"$SRC/qa/fuzz.sh" -o "$BIN/fuzz" -s "${FUZZ_CHECK_SECONDS:-2}" >"$WORK/fuzz.out" 2>&1 || rc=$?
sed 's/^/# /' "$WORK/fuzz.out"
[ "$rc" -eq 77 ] && t_skip "$(tail -1 "$WORK/fuzz.out")"
for h in dnsd ecs tcp zone conf mmdb repl_pull repl_batch repl_snapshot hc_dns hc_load; do
	line=$(grep "^fuzz $h:" "$WORK/fuzz.out")
	t_check "fuzz $h: built, ran and found nothing ($line)" \
		sh -c "echo '$line' | grep -qE '^fuzz $h: [1-9][0-9]* execs in [0-9]+ s, exit 0\$'"
done
t_eq "qa/fuzz.sh exit status" 0 "$rc"
t_done
