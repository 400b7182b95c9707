#!/usr/bin/env bash
# qa/chaos.sh -- replication chaos: random SIGKILLs of replicators and writers, stores
# restored from older copies, partitions, a skewed clock, a relay chain and a hostile
# key-holding peer; then a checker: every region's replicated tables row for row and every
# digest identical after healing, and no write acknowledged to its writer lost.
# Usage: qa/chaos.sh [BUILDDIR] [KILLS] [RESTORES] [PARTITIONS]   (defaults: build 1000 20 20)
# Loopback only. Regions: a <-> b <-> c (c reaches a only through b: a relay chain), a
# also peers with "evil" (serving crafted snapshots signed with the key), b runs 5 s ahead
# (faketime, when installed). A partition cuts a region off the network for 1-4 s while
# the writers of every region go on writing, then heals it: as root with nft, the whole
# run happens in a network namespace of its own (unshare -n), each region on its own
# loopback address (127.0.0.11, .12, .13; pulls leave from it: source_address), and a cut
# is a pair of nft drop rules on that address; otherwise the region's replicator is frozen
# (SIGSTOP) and thawed. After every heal and every replicator restart the time until every
# region holds every write made before it is measured ("heal"). Prints figures; exit 0
# when every check held (CHAOS_HEAL_BOUND_MS=5000: also that every heal took at most that).
# tests/functional/420-repl-chaos runs a short one.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# Real partitions need root, unshare and nft; the namespace is this run's alone, so the
# rules touch nothing else on the machine. CHAOS_SIGSTOP=1 forces the fallback.
if [ -z "${CHAOS_NETNS:-}" ] && [ -z "${CHAOS_SIGSTOP:-}" ] && [ "$(id -u)" = 0 ] &&
	command -v unshare >/dev/null && command -v nft >/dev/null &&
	unshare -n true 2>/dev/null; then
	exec unshare -n env CHAOS_NETNS=1 bash "$0" "$@"
fi
MERIDIAN_BUILDDIR=$(cd "${1:-$top/build}" && pwd)
KILLS=${2:-1000} RESTORES=${3:-20} PARTITIONS=${4:-20}
MERIDIAN_SRCDIR=$top
export MERIDIAN_BUILDDIR MERIDIAN_SRCDIR
T_NAME=${T_NAME:-chaos}
. "$top/tests/functional/lib.sh"
. "$top/tests/functional/lib/repl.sh"
PEER="python3 $top/tests/functional/lib/repl_peer.py"
FT=$(repl_faketime_preload)
REGIONS="a b c"
CUT=sigstop
if [ -n "${CHAOS_NETNS:-}" ]; then
	ip link set lo up || { echo "# cannot bring up lo in the namespace"; exit 1; }
	# (nft refused in the namespace, e.g. a container without it: the SIGSTOP fallback)
	if nft add table ip chaos && nft add chain ip chaos out '{ type filter hook output priority 0; }'; then
		REPL_HOST_a=127.0.0.11 REPL_HOST_b=127.0.0.12 REPL_HOST_c=127.0.0.13
		CUT=nft
	else
		echo "# nft refused in the namespace: partitions freeze replicators (SIGSTOP)"
	fi
fi

repl_region a b evil -- "  digest_check: 2s"
repl_region b a c -- "  digest_check: 2s"
repl_region c b -- "  digest_check: 2s"
# The hostile peer: a snapshot naming "hlc" twice and a cursor at INT64_MAX.
cat >"$WORK/evil.json" <<'JSON'
{"format":"meridian-snapshot/1","region":"{REGION}","hlc":{NOW},"exported":1,"cursors":[{"origin":"c","seq":9223372036854775807}],
 "observations":[],"overrides":[{"datacenter":"dc1","action":"force-down","reason":"evil","actor":"evil","created":1,"expires":0,"deleted":0,"origin":"evil","hlc":{NOW},"hlc":{FUTURE}}],"events":[]}
JSON
repl_fake evil --key "$WORK/repl.key" --region evil --mode snapshot --snapshot "$WORK/evil.json" ||
	t_abort "the hostile peer started"

start_region() { # NAME
	if [ "$1" = b ] && [ -n "$FT" ]; then
		REPL_RUNS=$((${REPL_RUNS:-0} + 1))
		t_start "repl-b.$REPL_RUNS" env LD_PRELOAD="$FT" FAKETIME="+5s" FAKETIME_DONT_FAKE_MONOTONIC=1 \
			FAKETIME_NO_CACHE=1 "$REPL_BIN" -c "$WORK/b.yaml"
		REPL_PID_b=$!
		repl_started b "repl-b.$REPL_RUNS"
	else
		repl_start "$1"
	fi
}
for r in $REGIONS; do start_region "$r"; done

# Writers: each acknowledged write (exit 0) is appended to acked.REGION. A writer may be
# killed mid-write: that write was never acknowledged.
writer_loop() { # REGION
	local i=0
	while [ ! -e "$WORK/stop-writers" ]; do
		i=$((i + 1))
		if [ $((i % 7)) = 0 ]; then
			"$REPL_WRITER" "$WORK/$1.db" "$1" drain "dc$((i % 3 + 1))" "$1-$i" >/dev/null 2>&1 &&
				echo "$1-$i" >>"$WORK/acked.$1"
		else
			"$REPL_WRITER" "$WORK/$1.db" "$1" event "$1-$i" >/dev/null 2>&1 &&
				echo "$1-$i" >>"$WORK/acked.$1"
		fi
		if [ -e "$WORK/pause-$1" ]; then
			touch "$WORK/paused-$1"
			while [ -e "$WORK/pause-$1" ]; do sleep 0.05; done
			rm -f "$WORK/paused-$1"
		fi
		sleep 0.0$((RANDOM % 5))
	done
}
for r in $REGIONS; do writer_loop "$r" & T_PIDS+=($!); eval "WRITER_$r=$!"; done

# A store restored from an older copy: its writers pause, every write it made reaches a
# peer (so nothing acknowledged exists only in the copy that is thrown away), the store
# is put back to the copy taken a while ago, and everything restarts.
restore() { # REGION
	local r=$1 other cur
	other=$([ "$r" = b ] && echo a || echo b)
	touch "$WORK/pause-$r"
	# Until its writer is between writes: an acknowledged write is in the store.
	t_until 30 test -e "$WORK/paused-$r"
	cur=$(repl_sql "$r" "SELECT seq FROM cursors WHERE origin = '$r'")
	repl_wait_sql 30 "$other" "SELECT seq >= $cur FROM cursors WHERE origin = '$r'" 1 >/dev/null
	repl_stop "$r" KILL
	# The copy taken at the previous restore goes back in place; the store as it is now
	# becomes the copy the next restore of this region uses.
	sqlite3 "$WORK/$r.db" ".backup '$WORK/$r.next'" 2>/dev/null
	rm -f "$WORK/$r.db-wal" "$WORK/$r.db-shm"
	cp "$WORK/$r.copy" "$WORK/$r.db"
	mv "$WORK/$r.next" "$WORK/$r.copy"
	# The documented procedure (docs/replication.md): the replicator first, the writers
	# once it has learnt from its peers what they hold of its origin.
	local runs=${REPL_RUNS:-0}
	start_region "$r"
	t_until 30 t_log_has "$WORK/repl-$r.$((runs + 1)).log" "serving our own entries"
	rm -f "$WORK/pause-$r"
}

# Cuts region R off every other (nft: everything from or to its address is dropped, so
# connections in flight hang as on a real network; fallback: its replicator is frozen).
region_cut() {
	if [ "$CUT" = nft ]; then
		nft add rule ip chaos out ip saddr "$(repl_host "$1")" drop &&
			nft add rule ip chaos out ip daddr "$(repl_host "$1")" drop
	else
		kill -STOP "$(repl_pid "$1")"
	fi
}
region_heal() { # REGION
	if [ "$CUT" = nft ]; then nft flush chain ip chaos out; else kill -CONT "$(repl_pid "$1")"; fi
}

# After a heal or a restart: ms until every region's cursor of every origin reaches what
# that origin's region had written when it happened (every write made before it is
# everywhere; the writers go on meanwhile). Appended to $WORK/heals; 60 s at most.
heal_measure() { # KIND REGION
	local t0 r s o q ok deadline
	local -A want have
	t0=$(date +%s%3N)
	for r in $REGIONS; do want[$r]=$(repl_sql "$r" "SELECT seq FROM cursors WHERE origin = '$r'"); done
	deadline=$((t0 + 60000))
	while [ "$(date +%s%3N)" -lt "$deadline" ]; do
		ok=1
		for s in $REGIONS; do
			have=()
			while read -r o q; do have[$o]=$q; done < <(repl_sql "$s" "SELECT origin || ' ' || seq FROM cursors")
			for r in $REGIONS; do
				[ "${have[$r]:-0}" -ge "${want[$r]:-0}" ] || { ok=0; break 2; }
			done
		done
		if [ $ok = 1 ]; then echo "$1 $(( $(date +%s%3N) - t0 )) $2 $t0" >>"$WORK/heals"; return 0; fi
		sleep 0.05
	done
	echo "$1 timeout $2 $t0" >>"$WORK/heals"
	echo "# $1: not converged 60 s after healing"
}

: >"$WORK/heals"
start_s=$(date +%s)
kills=0 restores=0 partitions=0 writer_kills=0
for r in $REGIONS; do sqlite3 "$WORK/$r.db" ".backup '$WORK/$r.copy'"; done
while [ $kills -lt "$KILLS" ] || [ $restores -lt "$RESTORES" ] || [ $partitions -lt "$PARTITIONS" ]; do
	r=$(echo $REGIONS | tr ' ' '\n' | shuf -n 1)
	case $((RANDOM % 10)) in
	[0-6])
		[ $kills -ge "$KILLS" ] && continue
		repl_stop "$r" KILL; sleep 0.0$((RANDOM % 3)); start_region "$r"
		heal_measure restart "$r"
		kills=$((kills + 1)) ;;
	7)
		[ $restores -ge "$RESTORES" ] && continue
		restore "$r"; restores=$((restores + 1)) ;;
	8)
		[ $partitions -ge "$PARTITIONS" ] && continue
		region_cut "$r"; sleep "$((RANDOM % 3 + 1)).$((RANDOM % 10))"; region_heal "$r"
		heal_measure partition "$r"
		partitions=$((partitions + 1)) ;;
	9)
		# Kill a writer process mid-write (its write was never acknowledged).
		pkill_target=$(pgrep -f "repl_writer $WORK/$r.db" | head -1)
		[ -n "$pkill_target" ] && kill -KILL "$pkill_target" 2>/dev/null && writer_kills=$((writer_kills + 1)) ;;
	esac
done
touch "$WORK/stop-writers"
for r in $REGIONS; do v="WRITER_$r"; wait "${!v}" 2>/dev/null; done
# Healed: everything is running, nothing is frozen or cut off.
for r in $REGIONS; do region_heal "$r" 2>/dev/null; done
heal_ms=$(date +%s%3N)
# Waits on a deadline (dumps of large tables are slow to take).
converge() { # SECONDS
	local until=$(( $(date +%s) + $1 )) ref
	while [ "$(date +%s)" -lt "$until" ]; do
		ref=$(repl_dump a 2>/dev/null | md5sum)
		[ "$ref" = "$(repl_dump b 2>/dev/null | md5sum)" ] && [ "$ref" = "$(repl_dump c 2>/dev/null | md5sum)" ] &&
			[ -n "$(repl_dump a 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	for n in a b c; do echo "--- $n: $(repl_dump "$n" | wc -l) rows"; done
	return 1
}
t_check "every region converges after healing (tables and cursors row for row)" converge 180
conv_ms=$(( $(date +%s%3N) - heal_ms ))
digests() { repl_sql "$1" "SELECT tbl, origin, rows, sum FROM digests WHERE rows > 0 ORDER BY tbl, origin"; }
t_eq "every region's digests identical (a, b)" "$(digests a)" "$(digests b)"
t_eq "every region's digests identical (a, c)" "$(digests a)" "$(digests c)"
lost=0 acked=0
for r in $REGIONS; do
	[ -e "$WORK/acked.$r" ] || continue
	acked=$((acked + $(wc -l <"$WORK/acked.$r")))
	for s in $REGIONS; do
		n=$(sort -u "$WORK/acked.$r" | python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.execute("PRAGMA busy_timeout = 5000")
have = {r for (r,) in db.execute("SELECT reason FROM events")}
print(sum(1 for l in sys.stdin if l.strip() and l.strip() not in have))' "$WORK/$s.db")
		lost=$((lost + n))
	done
done
t_eq "no acknowledged write lost in any region ($acked acknowledged)" 0 "$lost"
# An audit event a restored store wrote before the backup but after its last confirmation
# is moved to the new incarnation with the writes that collided: it then shows twice
# (docs/replication.md). Counted, not hidden.
dup=$(repl_sql a "SELECT count(*) FROM (SELECT reason FROM events WHERE action = 'write' GROUP BY reason HAVING count(*) > 1)")
t_eq "nothing from the hostile peer applied" 0 "$(repl_sql a "SELECT count(*) FROM overrides WHERE origin = 'evil'")"
echo "chaos: ${KILLS} replicator kills, $writer_kills writer kills, $RESTORES restores, $PARTITIONS partitions ($CUT)," \
	"$acked acknowledged writes, $(( $(date +%s) - start_s )) s; converged ${conv_ms} ms after healing;" \
	"$dup audit events shown twice after restores"
# Heal figures per kind: count, p50, p99, max (ms), and how many took over 5 s.
for kind in restart partition; do
	grep "^$kind [0-9]" "$WORK/heals" | cut -d' ' -f2 | sort -n | awk -v kind="$kind" \
		-v to="$(grep -c "^$kind timeout" "$WORK/heals")" '
		{ v[++n] = $1; if ($1 > 5000) over++ }
		END { if (n == 0) exit
		      p99 = int(n * 0.99 + 0.99); if (p99 > n) p99 = n
		      printf "  heal after a %s: %d measured, p50 %d ms, p99 %d ms, max %d ms, over 5 s: %d, not converged in 60 s: %d\n",
		             kind, n, v[int((n + 1) / 2)], v[p99], v[n], over + 0, to }'
done
echo "  slowest heals (kind, ms, region, epoch ms): $(grep -v ' timeout ' "$WORK/heals" | sort -k2 -n | tail -3 | tr '\n' ';')"
[ -z "${CHAOS_HEALS_OUT:-}" ] || cp "$WORK/heals" "$CHAOS_HEALS_OUT"
t_eq "every heal converged within 60 s" 0 "$(grep -c '^[a-z]* timeout ' "$WORK/heals")"
if [ -n "${CHAOS_HEAL_BOUND_MS:-}" ]; then
	t_eq "every heal converged within $CHAOS_HEAL_BOUND_MS ms" 0 \
		"$(awk -v b="$CHAOS_HEAL_BOUND_MS" '$2 != "timeout" && $2 + 0 > b + 0' "$WORK/heals" | wc -l)"
fi
export REPL_PEER_HOST
for r in $REGIONS; do
	REPL_PEER_HOST=$(repl_host "$r")
	n=$($PEER request --port "$(repl_port "$r")" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"incarnations":\([0-9]*\).*/\1/p')
	echo "  $r: incarnations ${n:-?}, divergences $($PEER request --port "$(repl_port "$r")" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"divergences":\([0-9]*\).*/\1/p')"
done
repl_finish
