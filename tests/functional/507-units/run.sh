#!/usr/bin/env bash
# 507-units: the installed systemd units pass `systemd-analyze verify` (their man pages
# found through the installed manual) and `systemd-analyze security --offline=true`
# rates each 2.0 or lower; prints the scores (docs/operations.md records them).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/install.sh"

command -v systemd-analyze >/dev/null || t_skip "systemd-analyze not installed"
D=$WORK/dest
i_dirs
i_install "$D" || t_abort "make install DESTDIR=..."
# The units name the installed programs; verify checks that they exist, so point them
# into the DESTDIR (nothing else changes).
mkdir "$WORK/units"
for u in dnsd healthcheck replicator; do
	sed "s|$I_sbindir/|$D$I_sbindir/|g" "$D$I_systemdsystemunitdir/meridian-$u.service" \
		>"$WORK/units/meridian-$u.service"
done
cd "$WORK/units" || exit 1
for u in dnsd healthcheck replicator; do
	out=$(MANPATH=$D$I_mandir systemd-analyze verify "meridian-$u.service" 2>&1)
	t_eq "meridian-$u.service: systemd-analyze verify" "0 " "$? $out"
	out=$(systemd-analyze security --offline=true "meridian-$u.service" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
	echo "# meridian-$u.service: systemd-analyze security --offline=true: ${score:-?}"
	t_check "meridian-$u.service: exposure ${score:-?} <= 2.0" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s + 0 <= 2.0) }'
	unit=$(cat "meridian-$u.service")
	t_contains "meridian-$u.service: Type=notify" "Type=notify" "$unit"
	t_contains "meridian-$u.service: reload is SIGHUP" 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
	t_contains "meridian-$u.service: runs as meridian" "User=meridian" "$unit"
	t_contains "meridian-$u.service: its state directory" "StateDirectory=meridian" "$unit"
done
t_contains "only meridian-dnsd may bind a privileged port" "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" "$(cat meridian-dnsd.service)"
t_eq "the others have no capability" "CapabilityBoundingSet= CapabilityBoundingSet=" \
	"$(grep -h '^CapabilityBoundingSet=' meridian-healthcheck.service meridian-replicator.service | tr '\n' ' ' | sed 's/ $//')"
t_done
