# tests/functional/lib/ctl.sh -- helpers for the meridianctl scenarios (source after lib.sh)
# Each scenario writes its config into $WORK with t_config (lib.sh: the common
# two-datacenter fixture and the scenario's overrides); the state store is a real SQLite
# file that meridianctl itself creates on the first override.

[ -x "$BIN/meridianctl" ] || t_skip "meridianctl not built"

# ctl ARGS...: runs meridianctl on the scenario's config; sets OUT, ERR and RC.
ctl() {
	OUT=$("$BIN/meridianctl" -c "$WORK/meridian.yaml" "$@" 2>"$WORK/ctl.err")
	RC=$?
	ERR=$(cat "$WORK/ctl.err")
}

# jq_py EXPR: evaluates a Python expression over the JSON document in $OUT (as `d`).
jq_py() {
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$OUT" "$1"
}

# json_ok: the JSON document in $OUT parses.
json_ok() { printf '%s' "$OUT" | python3 -m json.tool >/dev/null; }

# c_abort WHAT: counts a failure and stops the scenario (a setup step did not work).
c_abort() {
	echo "not ok - $1"
	T_FAILS=$((T_FAILS + 1))
	t_done
}
