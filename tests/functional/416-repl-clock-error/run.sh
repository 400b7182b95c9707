#!/usr/bin/env bash
# 416-repl-clock-error: a region whose clock is 2 minutes ahead (faketime) used to be told
# "bad signature": the 401 refusing its request time was signed over no nonce and the
# puller did not verify it as such. Now the refusal of an authenticated request is signed
# over its nonce and both sides report a clock error, with the offset.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
FT=$(repl_faketime_preload)
[ -n "$FT" ] || t_skip "libfaketime not installed"

repl_region a b
repl_region b a
repl_start a
REPL_RUNS=$((${REPL_RUNS:-0} + 1))
t_start "repl-b.$REPL_RUNS" env LD_PRELOAD="$FT" FAKETIME="+120s" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	FAKETIME_NO_CACHE=1 "$REPL_BIN" -c "$WORK/b.yaml"
REPL_PID_b=$!
repl_started b "repl-b.$REPL_RUNS" || t_abort "b did not start"
err_of() { repl_sql "$1" "SELECT last_error FROM peers WHERE region = '$2'" 2>/dev/null; }
err_has() { case "$(err_of "$1" "$2")" in *"$3"*) return 0 ;; esac; return 1; }
wait_err() { # REGION PEER TEXT
	t_until 30 err_has "$1" "$2" "$3"
}
t_check "b records a clock error for a" wait_err b a "clock error"
t_check "a records a clock error for b" wait_err a b "clock error"
t_contains "b (ahead) is told it is a clock error" "clock error" "$(err_of b a)"
t_contains "b is told by how much" "ms off" "$(err_of b a)"
t_check "b is not told 'bad signature'" bash -c "! grep -q 'bad signature' '$WORK'/repl-b.*.log"
t_contains "a reports b's clock too" "clock error: its clock is" "$(err_of a b)"
repl_finish
