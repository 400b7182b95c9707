#!/usr/bin/env bash
# qa/install-deps.sh -- installs every build and test dependency from Debian 12; idempotent
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi
packages=(
	build-essential autoconf automake libtool pkg-config
	libldns-dev libmaxminddb-dev libcurl4-openssl-dev libsqlite3-dev libcmocka-dev
	libyaml-dev liburcu-dev libmicrohttpd-dev libssl-dev
	knot-dnsutils ldnsutils bind9-dnsutils sqlite3 mmdb-bin libmaxmind-db-writer-perl
	python3 python3-yaml iproute2 nftables procps openssl gdb
	libsystemd-dev scdoc mandoc systemd lintian debhelper fakeroot dpkg-dev
	unbound nsd knot
	curl prometheus chromium
	clang libclang-rt-dev
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg (unattended-upgrades, a second shell) may hold the dpkg or the
# lists lock. Wait for it, up to MERIDIAN_LOCK_WAIT seconds (default 600), then fail
# naming the lock: apt waits by itself for the dpkg lock (DPkg::Lock::Timeout); the
# lists lock of apt-get update is retried here.
wait_s=${MERIDIAN_LOCK_WAIT:-600}
apt_locked() {
	local deadline=$((SECONDS + wait_s)) out rc
	while :; do
		out=$("$@" 2>&1) && rc=0 || rc=$?
		[ -n "$out" ] && printf '%s\n' "$out"
		[ "$rc" -eq 0 ] && return 0
		case "$out" in
		*"Could not get lock"* | *"Unable to lock"* | *"is held by process"*) ;;
		*) return "$rc" ;;
		esac
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "install-deps: the apt/dpkg lock is still held after ${wait_s}s; giving up" >&2
			return "$rc"
		fi
		echo "install-deps: waiting for the apt/dpkg lock (${wait_s}s at most)"
		sleep 1
	done
}
apt_locked apt-get -o DPkg::Lock::Timeout="$wait_s" update -qq
apt_locked apt-get -o DPkg::Lock::Timeout="$wait_s" install -y -qq --no-install-recommends "${missing[@]}"
