#!/usr/bin/env bash
# 152-dnsd-differential: the same zones served by meridian-dnsd, NSD and Knot DNS; every
# query where NSD and Knot agree must get the same answer from meridian-dnsd (every RR
# type and feature docs/dnsd-answers.md names: wildcards, CNAME chains, cuts, DS, DNAME,
# ANY, QCLASS *, CD, EDE, case).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../100-dnsd-lib/dnsd.sh"
here=$(dirname "$0")
command -v nsd >/dev/null || t_skip "nsd not installed"
command -v knotd >/dev/null || t_skip "knot not installed"

mkdir -p "$WORK/zones"
for z in example.com child.example.com nods.example.com; do
	cp "$here/zone.$z" "$WORK/zones/$z.zone"
done

cat >"$WORK/meridian.yaml" <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:$D_PORT"]
  threads: 1
  zones:
    - origin: example.com.
      file: zones/example.com.zone
    - origin: child.example.com.
      file: zones/child.example.com.zone
    - origin: nods.example.com.
      file: zones/nods.example.com.zone
CONF
d_start || t_abort "meridian-dnsd answers"

# peer_up NAME PORT: the peer answers www.example.com A on PORT.
peer_up() {
	[ "$(kdig @127.0.0.1 -p "$2" +retry=0 +timeout=1 +short www.example.com A 2>/dev/null | head -1)" = 192.0.2.80 ]
}

# start_peer NAME: starts NSD or Knot on a free port, again on another one if it could not
# bind it (the port is only free when picked); sets PORT_<NAME>.
start_peer() {
	local name=$1 try port pid up
	for try in 1 2 3 4 5; do
		port=$(t_port)
		mkdir -p "$WORK/$name$try"
		if [ "$name" = nsd ]; then
			cat >"$WORK/$name$try/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$WORK/zones"
    database: ""
    pidfile: "$WORK/$name$try/nsd.pid"
    xfrdfile: "$WORK/$name$try/xfrd.state"
    zonelistfile: "$WORK/$name$try/zone.list"
    verbosity: 1
remote-control:
    control-enable: no
CONF
			for z in example.com child.example.com nods.example.com; do
				printf 'zone:\n    name: %s\n    zonefile: %s.zone\n' "$z" "$z" >>"$WORK/$name$try/nsd.conf"
			done
			t_start "$name$try" nsd -d -c "$WORK/$name$try/nsd.conf"
		else
			cat >"$WORK/$name$try/knot.conf" <<CONF
server:
    rundir: "$WORK/$name$try"
    listen: 127.0.0.1@$port
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$WORK/$name$try"
log:
  - target: stderr
    any: info
template:
  - id: default
    storage: "$WORK/zones"
zone:
CONF
			for z in example.com child.example.com nods.example.com; do
				printf '  - domain: %s.\n    file: "%s.zone"\n' "$z" "$z" >>"$WORK/$name$try/knot.conf"
			done
			t_start "$name$try" knotd -c "$WORK/$name$try/knot.conf"
		fi
		pid=${T_PIDS[${#T_PIDS[@]}-1]}
		up=0
		for _ in $(seq 200); do
			if peer_up "$name" "$port"; then up=1; break; fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if [ $up -eq 1 ]; then
			eval "PORT_$name=$port"
			return 0
		fi
		kill "$pid" 2>/dev/null
		# only a port taken in between is worth another try
		grep -qiE 'in use|bind|address' "$WORK/$name$try.log" || { tail -5 "$WORK/$name$try.log"; return 1; }
	done
	return 1
}
start_peer nsd || t_abort "nsd answers"
start_peer knot || t_abort "knotd answers"

out=$(python3 "$here/diff.py" "$D_PORT" "$PORT_nsd" "$PORT_knot")
echo "$out" | tail -40
t_contains "meridian-dnsd answers as NSD and Knot DNS do wherever they agree" " 0 mismatches" "$out"
n=$(sed -n 's/^compared \([0-9]*\) .*/\1/p' <<<"$out")
t_check "most queries were compared ($n)" test "${n:-0}" -ge 900
t_check "no sanitizer report" d_sanitizer_clean
t_done
