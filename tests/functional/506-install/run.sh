#!/usr/bin/env bash
# 506-install: make install into a DESTDIR puts exactly the expected files in place (the
# programs, five manual pages, the docs, the example config and zone under sysconfdir,
# the units, sysusers.d and tmpfiles.d), each as it should be; a second install keeps an
# edited config; make uninstall removes everything but that config.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/install.sh"

D=$WORK/dest
i_dirs
t_check "make install DESTDIR=..." i_install "$D"

expected=$(sort <<EOF2
$I_bindir/meridianctl
$I_bindir/meridian-status
$I_sbindir/meridian-dnsd
$I_sbindir/meridian-healthcheck
$I_sbindir/meridian-replicator
$I_mandir/man5/meridian.yaml.5
$I_mandir/man8/meridian-dnsd.8
$I_mandir/man8/meridian-healthcheck.8
$I_mandir/man8/meridian-replicator.8
$I_mandir/man8/meridianctl.8
$I_sysconfdir/meridian/meridian.yaml
$I_sysconfdir/meridian/zones/example.com.zone
$I_docdir/README.md
$I_docdir/NEWS
$I_docdir/config.md
$I_docdir/dnsd-answers.md
$I_docdir/dnsd-server.md
$I_docdir/geo.md
$I_docdir/healthcheck.md
$I_docdir/meridianctl.md
$I_docdir/operations.md
$I_docdir/replication.md
$I_docdir/schema.md
$I_docdir/examples/meridian.yaml
$I_systemdsystemunitdir/meridian-dnsd.service
$I_systemdsystemunitdir/meridian-healthcheck.service
$I_systemdsystemunitdir/meridian-replicator.service
$I_sysusersdir/meridian.conf
$I_tmpfilesdir/meridian.conf
EOF2
)
# Documents other modules add to docs/ are installed too: every docs/*.md is expected.
for f in "$SRC"/docs/*.md; do expected=$(printf '%s\n%s\n' "$expected" "$I_docdir/${f##*/}" | sort -u); done
t_eq "exactly the expected files" "$expected" "$(cd "$D" && find . -type f -o -type l | sed 's|^\.||' | sort)"
t_check "the state directory" [ -d "$D$I_localstatedir/lib/meridian" ]

for p in "$I_bindir/meridianctl" "$I_sbindir/meridian-dnsd" "$I_sbindir/meridian-healthcheck" "$I_sbindir/meridian-replicator"; do
	t_check "${p##*/}: executable, runs" sh -c "[ -x '$D$p' ] && '$D$p' --version | grep -q '^${p##*/} '"
done
if command -v mandoc >/dev/null; then
	for m in "$D$I_mandir"/man*/*; do
		t_eq "${m##*/}: mandoc -T lint clean" "" "$(mandoc -T lint -W warning "$m" 2>&1)"
	done
fi
t_check "man finds the installed page" sh -c "MANPATH='$D$I_mandir' man -w 5 meridian.yaml >/dev/null 2>&1 || ! command -v man >/dev/null"

CONF=$D$I_sysconfdir/meridian/meridian.yaml
t_contains "the example config names the installed state directory" "state: $I_localstatedir/lib/meridian/state.db" "$(cat "$CONF")"
t_check "the example config is valid (meridianctl check)" "$D$I_bindir/meridianctl" -c "$CONF" check
t_check "and meridian-dnsd -t loads it with its zone" "$D$I_sbindir/meridian-dnsd" -t -c "$CONF"
t_contains "the default config path is sysconfdir's" "$I_sysconfdir/meridian/meridian.yaml" "$("$D$I_sbindir/meridian-dnsd" --help)"

for u in dnsd healthcheck replicator; do
	unit=$D$I_systemdsystemunitdir/meridian-$u.service
	t_contains "meridian-$u.service runs the installed program" "ExecStart=$I_sbindir/meridian-$u -c $I_sysconfdir/meridian/meridian.yaml" "$(cat "$unit")"
	t_check "meridian-$u.service: nothing left unsubstituted" sh -c "! grep -nE '@[a-z]+@' '$unit'"
done
t_contains "sysusers.d: the meridian user" "u meridian " "$(cat "$D$I_sysusersdir/meridian.conf")"
t_contains "tmpfiles.d: its state directory" "d $I_localstatedir/lib/meridian 0750 meridian meridian" "$(cat "$D$I_tmpfilesdir/meridian.conf")"

echo "# edited by the operator" >>"$CONF"
t_check "a second make install" i_install "$D"
t_contains "keeps the edited config" "# edited by the operator" "$(tail -n 1 "$CONF")"
t_contains "and says so" "keeping $CONF" "$(cat "$WORK/install.log")"

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BIN" uninstall DESTDIR="$D" >"$WORK/uninstall.log" 2>&1
t_eq "make uninstall" 0 $?
t_eq "leaves only the edited config" "$I_sysconfdir/meridian/meridian.yaml" "$(cd "$D" && find . -type f | sed 's|^\.||')"
t_done
