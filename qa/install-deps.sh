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
	python3 iproute2 procps openssl gdb
	curl prometheus chromium
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
