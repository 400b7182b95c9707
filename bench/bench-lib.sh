# bench/bench-lib.sh -- helpers the bench scripts share (sourced, never run)

# port_free: a loopback port free for both TCP and UDP right now.
port_free() {
	python3 - <<'PY'
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}

# proc_ticks PID AWK-EXPR: the sum of AWK-EXPR over /proc/P/stat (fields counted after
# the command, which may hold spaces: "nsd: server 1") for PID, its children and theirs,
# so a server that forks its workers (NSD) is counted whole.
proc_ticks() {
	local total=0 p
	for p in $1 $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); do
		[ -r "/proc/$p/stat" ] || continue
		total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk "{print $2}")))
	done
	echo $total
}
# ticks PID: CPU ticks (utime + stime, fields 14 and 15); utime_ticks PID: user space alone.
ticks() { proc_ticks "$1" '$12 + $13'; }
utime_ticks() { proc_ticks "$1" '$12'; }

# median "N N ...", best "N N ...": of a space-separated list.
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{v[NR]=$1} END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }
best() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | tail -1; }
