#!/usr/bin/env bash
# 509-deb: the Debian package (qa/build-deb.sh: dpkg-buildpackage -us -uc -b, lintian
# without errors) installs with dpkg, into a root directory of its own (dpkg --root,
# maintainer scripts run with DPKG_ROOT): the programs, the manual pages, the units
# (enabled), the meridian user, its state directory and the example config as conffiles.
# Slow (a whole package build): skipped unless MERIDIAN_DEB_TEST=1, or MERIDIAN_DEB_DIR
# names a directory holding a built meridian_*.deb. Not in CI; run it with
#   MERIDIAN_DEB_TEST=1 make -C build check TESTS=tests/functional/509-deb/run.sh
. "$(dirname "$0")/../lib.sh"

[ -n "${MERIDIAN_DEB_TEST:-}${MERIDIAN_DEB_DIR:-}" ] ||
	t_skip "slow: set MERIDIAN_DEB_TEST=1 (or MERIDIAN_DEB_DIR) to build and install the package"
[ "$(id -u)" -eq 0 ] || t_skip "needs root (dpkg)"
command -v dpkg-buildpackage >/dev/null || t_skip "dpkg-dev not installed"
deb_dir=${MERIDIAN_DEB_DIR:-}
if [ -z "$deb_dir" ]; then
	deb_dir=$WORK/deb
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
	"$SRC/qa/build-deb.sh" "$deb_dir" >"$WORK/build-deb.log" 2>&1
	rc=$?
	t_eq "qa/build-deb.sh: the package builds, lintian finds no error" 0 "$rc"
	[ "$rc" -eq 0 ] || { tail -n 30 "$WORK/build-deb.log" | sed 's/^/#   /'; t_done; }
	grep '^build-deb: lintian' "$WORK/build-deb.log" | sed 's/^/# /'
fi
deb=$(ls "$deb_dir"/meridian_*.deb | head -n 1)
[ -f "$deb" ] || t_abort "a meridian_*.deb in $deb_dir"

# A root of our own: an empty dpkg database, the host's programs for the scripts.
R=$WORK/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
: >"$R/var/lib/dpkg/status"
dpkg --root="$R" --force-script-chrootless --force-depends --force-not-root \
	--log="$WORK/dpkg.log" -i "$deb" >"$WORK/dpkg.out" 2>&1
rc=$?
t_eq "dpkg -i installs the package" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$WORK/dpkg.out"
t_eq "dpkg says it is installed" "install ok installed" \
	"$(dpkg --root="$R" -s meridian 2>/dev/null | sed -n 's/^Status: //p')"

for f in usr/sbin/meridian-dnsd usr/sbin/meridian-healthcheck usr/sbin/meridian-replicator usr/bin/meridianctl; do
	t_check "/$f runs" sh -c "'$R/$f' --version | grep -q '^${f##*/} 0'"
done
for m in man8/meridian-dnsd.8 man8/meridian-healthcheck.8 man8/meridian-replicator.8 man8/meridianctl.8 man5/meridian.yaml.5; do
	t_check "manual page $m" [ -s "$R/usr/share/man/$m.gz" ]
done
for u in dnsd healthcheck replicator; do
	t_contains "meridian-$u.service runs /usr/sbin/meridian-$u with /etc/meridian/meridian.yaml" \
		"ExecStart=/usr/sbin/meridian-$u -c /etc/meridian/meridian.yaml" \
		"$(cat "$R/lib/systemd/system/meridian-$u.service" 2>&1)"
	t_check "meridian-$u.service enabled" [ -L "$R/etc/systemd/system/multi-user.target.wants/meridian-$u.service" ]
done
t_check "sysusers.d file" [ -s "$R/usr/lib/sysusers.d/meridian.conf" ]
t_check "the meridian user exists (systemd-sysusers)" grep -q '^meridian:' "$R/etc/passwd"
uid=$(awk -F: '$1 == "meridian" { print $3 }' "$R/etc/passwd")
t_eq "its state directory (systemd-tmpfiles)" "${uid:-?} 750" "$(stat -c '%u %a' "$R/var/lib/meridian" 2>&1)"
t_eq "the example config and zone are conffiles" "/etc/meridian/meridian.yaml /etc/meridian/zones/example.com.zone" \
	"$(dpkg-query --root="$R" -W -f='${Conffiles}\n' meridian | awk 'NF { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')"
t_contains "the example config names /var/lib/meridian" "state: /var/lib/meridian/state.db" "$(cat "$R/etc/meridian/meridian.yaml")"
t_check "the example config loads (meridian-dnsd -t)" "$R/usr/sbin/meridian-dnsd" -t -c "$R/etc/meridian/meridian.yaml"
t_check "docs" [ -s "$R/usr/share/doc/meridian/copyright" ] && [ -s "$R/usr/share/doc/meridian/geo.md.gz" ]

dpkg --root="$R" --force-script-chrootless --force-not-root --log="$WORK/dpkg.log" -r meridian >"$WORK/dpkg-r.out" 2>&1
t_eq "dpkg -r removes it" 0 $?
t_check "the programs are gone" [ ! -e "$R/usr/sbin/meridian-dnsd" ]
t_check "the config stays until purge" [ -e "$R/etc/meridian/meridian.yaml" ]
t_done
