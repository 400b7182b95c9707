#!/usr/bin/env bash
# 152-dnsd-differential: the same zones served by meridian-dnsd, NSD and Knot DNS; every
# query where NSD and Knot agree must get the same answer from meridian-dnsd (every RR
# type and feature docs/dnsd-answers.md names: wildcards, CNAME chains, cuts, DS, DNAME,
# ANY, QCLASS *, CD, EDE, case); then the parent zone signed by ldns-signzone, with NSEC
# and with NSEC3 opt-out, asked with DO (signatures, denial proofs, DS and no-DS proofs).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
here=$(dirname "$0")
command -v nsd >/dev/null || t_skip "nsd not installed"
command -v knotd >/dev/null || t_skip "knot not installed"

mkdir -p "$WORK/zones"
for z in example.com child.example.com nods.example.com; do
	cp "$here/zone.$z" "$WORK/zones/$z.zone"
done
ZONES=$WORK/zones

cat >"$WORK/meridian.yaml" <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:$D_PORT"]
  threads: 1
  zones:
    - origin: example.com.
      file: $ZONES/example.com.zone
    - origin: child.example.com.
      file: $ZONES/child.example.com.zone
    - origin: nods.example.com.
      file: $ZONES/nods.example.com.zone
CONF
d_start || t_abort "meridian-dnsd answers"

# peer_up NAME PORT: the peer answers www.example.com A on PORT.
peer_up() {
	[ "$(kdig @127.0.0.1 -p "$2" +retry=0 +timeout=1 +short www.example.com A 2>/dev/null | head -1)" = 192.0.2.80 ]
}

# peer_up_or_gone PORT PID: the peer answers on PORT, or its process is gone.
peer_up_or_gone() { peer_up x "$1" || ! kill -0 "$2" 2>/dev/null; }

# start_peer NAME: starts NSD or Knot on a free port, again on another one if it could not
# bind it; sets PORT_<NAME>. Neither can listen on port 0 and say which port it got (Knot
# refuses port 0), so the port is picked here (t_low_port) and only a start that failed
# to bind is tried again.
start_peer() {
	local name=$1 try port pid up
	for try in 1 2 3 4 5; do
		port=$(t_low_port)
		mkdir -p "$WORK/$name$try"
		if [ "$name" = nsd ]; then
			cat >"$WORK/$name$try/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$ZONES"
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
    storage: "$ZONES"
zone:
CONF
			for z in example.com child.example.com nods.example.com; do
				printf '  - domain: %s.\n    file: "%s.zone"\n' "$z" "$z" >>"$WORK/$name$try/knot.conf"
			done
			t_start "$name$try" knotd -c "$WORK/$name$try/knot.conf"
		fi
		pid=${T_PIDS[${#T_PIDS[@]}-1]}
		t_until 30 peer_up_or_gone "$port" "$pid"
		if peer_up "$name" "$port"; then
			eval "PORT_$name=$port"
			return 0
		fi
		kill "$pid" 2>/dev/null
		# only a port taken in between is worth another try
		grep -qiE 'in use|bind|address' "$WORK/$name$try.log" || { tail -5 "$WORK/$name$try.log"; return 1; }
	done
	return 1
}
# phase LABEL [do]: NSD and Knot DNS on $ZONES, compared with meridian-dnsd on $D_PORT.
phase() {
	local label=$1 out n
	start_peer nsd || t_abort "nsd answers ($label)"
	start_peer knot || t_abort "knotd answers ($label)"
	out=$(python3 "$here/diff.py" "$D_PORT" "$PORT_nsd" "$PORT_knot" ${2:-})
	echo "$out" | tail -40
	t_contains "$label: meridian-dnsd answers as NSD and Knot DNS do wherever they agree" \
		" 0 mismatches" "$out"
	n=$(sed -n 's/^compared \([0-9]*\) .*/\1/p' <<<"$out")
	t_check "$label: most queries were compared ($n)" test "${n:-0}" -ge 900
}
phase unsigned

# the same zones, the parent signed (NSEC, then NSEC3 with opt-out), asked with DO
if command -v ldns-signzone >/dev/null && command -v ldns-keygen >/dev/null; then
	mkdir -p "$WORK/keys"
	zsk=$(cd "$WORK/keys" && ldns-keygen -a ECDSAP256SHA256 example.com)
	ksk=$(cd "$WORK/keys" && ldns-keygen -k -a ECDSAP256SHA256 example.com)
	for mode in nsec nsec3; do
		ZONES=$WORK/zones-$mode
		mkdir -p "$ZONES"
		cp "$WORK/zones/"*.zone "$ZONES/"
		args=()
		[ $mode = nsec3 ] && args=(-n -p -s beef -t 1)
		ldns-signzone "${args[@]}" -o example.com. -f "$ZONES/example.com.zone" \
			"$WORK/zones/example.com.zone" "$WORK/keys/$zsk" "$WORK/keys/$ksk" ||
			t_abort "ldns-signzone ($mode)"
		sed "s|$WORK/zones/|$ZONES/|; s|127.0.0.1:[0-9]*|127.0.0.1:0|" "$WORK/meridian.yaml" \
			>"$WORK/meridian-$mode.yaml"
		t_start "dnsd-$mode" "$BIN/meridian-dnsd" -c "$WORK/meridian-$mode.yaml"
		{ d_port "dnsd-$mode" && t_wait_dns "$D_PORT"; } ||
			t_abort "meridian-dnsd serves the $mode zone"
		phase "signed ($mode), DO" do
	done
fi

t_check "no sanitizer report" d_sanitizer_clean
t_done
