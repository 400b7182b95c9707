# tests/functional/lib/dnssec.sh -- keys, signed zones and validators for the DNSSEC scenarios (source after lib.sh)
# Keys come from ldns-keygen and zones are signed by ldns-signzone in $WORK; Unbound and
# delv validate against the zones' own trust anchors. Nothing leaves 127.0.0.1.

command -v ldns-keygen >/dev/null && command -v ldns-signzone >/dev/null ||
	t_skip "ldns-keygen/ldns-signzone not installed (ldnsutils)"

# sec_keys ZONE: makes a ZSK and a KSK (ECDSA P-256) for ZONE in $WORK/keys; sets
# ZSK_<zone> and KSK_<zone> (dots as _) to the key file bases.
sec_keys() {
	local zone=$1 var zsk ksk
	var=$(echo "$zone" | tr -c 'A-Za-z0-9\n' _)
	mkdir -p "$WORK/keys"
	zsk=$(cd "$WORK/keys" && ldns-keygen -a ECDSAP256SHA256 "$zone") || return 1
	ksk=$(cd "$WORK/keys" && ldns-keygen -k -a ECDSAP256SHA256 "$zone") || return 1
	eval "ZSK_$var=\$WORK/keys/\$zsk; KSK_$var=\$WORK/keys/\$ksk"
}

# sec_sign ZONE FILE [ldns-signzone options...]: signs FILE with ZONE's keys into FILE.signed.
sec_sign() {
	local zone=$1 file=$2 var zsk ksk
	shift 2
	var=$(echo "$zone" | tr -c 'A-Za-z0-9\n' _)
	eval "zsk=\$ZSK_$var; ksk=\$KSK_$var"
	ldns-signzone "$@" -o "$zone" -f "$file.signed" "$file" "$zsk" "$ksk"
}

# sec_anchors ZONE...: $WORK/keys/anchors.txt (DNSKEY lines for Unbound) and
# $WORK/keys/anchors.conf (trust-anchors for delv), from each zone's KSK.
sec_anchors() {
	local zone var ksk
	: >"$WORK/keys/anchors.txt"
	echo "trust-anchors {" >"$WORK/keys/anchors.conf"
	for zone in "$@"; do
		var=$(echo "$zone" | tr -c 'A-Za-z0-9\n' _)
		eval "ksk=\$KSK_$var"
		sed 's/;.*//' "$ksk.key" >>"$WORK/keys/anchors.txt"
		sed 's/;.*//' "$ksk.key" | awk '{k=""; for (i = 7; i <= NF; i++) k = k $i;
			printf "  %s static-key %s %s %s \"%s\";\n", $1, $4, $5, $6, k}' \
			>>"$WORK/keys/anchors.conf"
	done
	echo "};" >>"$WORK/keys/anchors.conf"
}

# sec_unbound_up TRY: Unbound (start TRY) answers on U_PORT or logged its start.
sec_unbound_up() {
	kdig @127.0.0.1 -p "$U_PORT" +retry=0 +timeout=1 . SOA >/dev/null 2>&1 ||
		grep -q 'start of service' "$WORK/unbound$1.log" 2>/dev/null
}
# sec_unbound_up_or_gone TRY PID: up, or its process is gone.
sec_unbound_up_or_gone() { sec_unbound_up "$1" || ! kill -0 "$2" 2>/dev/null; }

# sec_unbound PORT ZONE...: starts Unbound (validator + iterator; with U_ECS=1 also the
# subnet cache, forwarding the client's ECS to 127.0.0.1) on 127.0.0.1, with
# the anchors of sec_anchors and a stub zone per ZONE pointing at 127.0.0.1@PORT; sets
# U_PORT. Unbound cannot say which port it got from port 0, so the port is picked here
# (t_low_port) and Unbound started again on another one if it could not bind it.
sec_unbound() {
	local port=$1 zone try
	shift
	command -v unbound >/dev/null || t_skip "unbound not installed"
	mkdir -p "$WORK/unbound"
	for try in 1 2 3 4 5; do
		U_PORT=$(t_low_port)
		{
			cat <<CONF
server:
  interface: 127.0.0.1
  port: $U_PORT
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "$WORK/unbound"
  pidfile: "$WORK/unbound/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  num-threads: 1
  so-reuseport: no
  trust-anchor-file: "$WORK/keys/anchors.txt"
  module-config: "${U_ECS:+subnetcache }validator iterator"
  val-log-level: 2${U_ECS:+
  send-client-subnet: 127.0.0.1
  client-subnet-always-forward: yes
  max-client-subnet-ipv4: 24}
  qname-minimisation: no
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
remote-control:
  control-enable: no
CONF
			for zone in "$@"; do
				printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@%s\n' "$zone" "$port"
			done
		} >"$WORK/unbound/unbound.conf"
		t_start "unbound$try" unbound -d -c "$WORK/unbound/unbound.conf"
		local pid=${T_PIDS[${#T_PIDS[@]}-1]}
		t_until 30 sec_unbound_up_or_gone "$try" "$pid"
		sec_unbound_up "$try" && return 0
		grep -q 'bind' "$WORK/unbound$try.log" || { cat "$WORK/unbound$try.log"; return 1; }
	done
	return 1
}

# uq ARGS...: kdig against Unbound, DO set.
uq() {
	kdig @127.0.0.1 -p "$U_PORT" +retry=1 +timeout=5 +dnssec "$@"
}

# sec_delv PORT NAME TYPE ANCHOR-ZONE: delv against the authoritative server at PORT,
# validating up to ANCHOR-ZONE's trust anchor; prints delv's first line.
sec_delv() {
	delv @127.0.0.1 -p "$1" -a "$WORK/keys/anchors.conf" +root="$4" "$2" "$3" 2>&1 |
		grep -v '^;; resolution failed' | head -1
}

# sec_flags OUTPUT: the header flags kdig printed.
sec_flags() { sed -n 's/^;; Flags: \([a-z ]*\);.*/\1/p' <<<"$1"; }
# sec_status OUTPUT: the rcode kdig printed.
sec_status() { sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$1"; }
