#!/usr/bin/env bash
# 505-privdrop: started as root outside systemd with `user`/`group` set, each daemon
# binds (meridian-dnsd port 53), then runs as that user: uid and gid in every slot, no
# supplementary group, no capability in any set (read from /proc), no_new_privs; the
# store it creates belongs to the user, and SIGHUP reloads still work.
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip "needs root"
# In a user namespace (unshare -rn) root is not the real root: uid 65534 is unmapped.
[ "$(cat /proc/self/uid_map | awk '{print $3}' | head -1)" -gt 1 ] || t_skip "needs the real root"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || t_skip "no nobody/nogroup"
for p in meridian-dnsd meridian-healthcheck meridian-replicator; do
	[ -x "$BIN/$p" ] || t_skip "$p not built"
done
command -v kdig >/dev/null || t_skip "kdig not installed"
uid=$(id -u nobody)
gid=$(getent group nogroup | cut -d: -f3)

chmod 755 "$WORK"
mkdir "$WORK/etc" "$WORK/lib" "$WORK/etc/zones"
chown nobody:nogroup "$WORK/lib"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/etc/repl.key"
chmod 640 "$WORK/etc/repl.key" # read as root, before the drop
t_zone "$WORK/etc/zones"
cat >"$WORK/etc/meridian.yaml" <<CONF
region: r1
state: $WORK/lib/state.db
user: nobody
group: nogroup
dns:
  listen: ["127.0.0.1:53"]
  threads: 2
  zones:
    - { origin: example.com., file: zones/example.com.zone }
datacenters:
  dc1:
    location: [38.9, -77.4]
    addresses: [192.0.2.1]
    check: { type: tcp, address: "127.0.0.1:9", interval: 200ms, timeout: 100ms }
replication:
  listen: "127.0.0.1:853"
  key_file: repl.key
CONF

# status_of PID FIELD: a field of /proc/PID/status, tabs as spaces.
status_of() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
# dropped NAME PID: every thread of PID runs as nobody:nogroup with nothing else.
dropped() {
	local name=$1 pid=$2 t
	t_eq "$name: uid (real, effective, saved, fs)" "$uid $uid $uid $uid" "$(status_of "$pid" Uid)"
	t_eq "$name: gid (real, effective, saved, fs)" "$gid $gid $gid $gid" "$(status_of "$pid" Gid)"
	t_eq "$name: no supplementary group" "" "$(status_of "$pid" Groups)"
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		t_eq "$name: $f empty" "0000000000000000" "$(status_of "$pid" $f)"
	done
	t_eq "$name: no_new_privs" "1" "$(status_of "$pid" NoNewPrivs)"
	for t in /proc/"$pid"/task/*; do
		t_eq "$name: thread ${t##*/} uid and CapEff" "$uid 0000000000000000" \
			"$(status_of "$pid/task/${t##*/}" Uid | cut -d' ' -f2) $(status_of "$pid/task/${t##*/}" CapEff)"
	done
}
# wait_log FILE TEXT (30 s)
has_text() { grep -qF -- "$2" "$1" 2>/dev/null; }
wait_log() {
	t_until 30 has_text "$1" "$2" && return 0
	echo "# '$2' not in $1:"; sed 's/^/#   /' "$1"; return 1
}

t_start repl "$BIN/meridian-replicator" -c "$WORK/etc/meridian.yaml"
t_check "meridian-replicator serves on port 853" wait_log "$WORK/repl.log" "serving on"
t_start hc "$BIN/meridian-healthcheck" -c "$WORK/etc/meridian.yaml"
t_check "meridian-healthcheck started" wait_log "$WORK/hc.log" "started: region r1"
t_start dnsd "$BIN/meridian-dnsd" -c "$WORK/etc/meridian.yaml"
t_wait_dns 53 || t_abort "meridian-dnsd answers on port 53"
t_check "meridian-dnsd follows the store" wait_log "$WORK/dnsd.log" "state: following"
dropped meridian-dnsd "$PID_dnsd"
dropped meridian-healthcheck "$PID_hc"
dropped meridian-replicator "$PID_repl"
t_eq "the store belongs to the user" "nobody:nogroup" "$(stat -c %U:%G "$WORK/lib/state.db")"
observed() {
	local n; n=$(sqlite3 "$WORK/lib/state.db" "SELECT count(*) FROM observations" 2>/dev/null)
	[ "${n:-0}" -gt 0 ]
}
t_check "observations written as the user" t_until 30 observed
kill -HUP "$PID_dnsd"
t_check "meridian-dnsd reloads as the user" wait_log "$WORK/dnsd.log" "reloaded"
t_eq "and still answers" "192.0.2.53" "$(kdig @127.0.0.1 -p 53 +short +retry=0 +timeout=2 ns1.example.com A)"

# A user that does not exist: a clear error, exit 1, after binding nothing for good.
sed -i 's/^user: nobody/user: no-such-meridian-user/' "$WORK/etc/meridian.yaml"
kill -TERM "$PID_dnsd"; wait "$PID_dnsd" 2>/dev/null
out=$("$BIN/meridian-dnsd" -c "$WORK/etc/meridian.yaml" 2>&1)
t_eq "unknown user: exit 1" 1 $?
t_contains "unknown user: says so" "user 'no-such-meridian-user': no such user" "$out"
t_done
