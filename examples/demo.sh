#!/usr/bin/env bash
# examples/demo.sh -- builds if needed and runs meridian-dnsd on the demo config on
# 127.0.0.1:5353 in the foreground (Ctrl-C stops it); prints kdig lines to try.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${MERIDIAN_BUILDDIR:-$top/build}
if [ ! -x "$build/meridian-dnsd" ]; then
	echo "demo: building into $build (qa/build.sh)..."
	"$top/qa/build.sh" "$(basename "$build")"
fi
work=${MERIDIAN_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/meridian-demo.XXXXXX")}
mkdir -p "$work/mmdb"
cp "$top/examples/meridian.yaml" "$work/"
cp -r "$top/examples/zones" "$work/"
if ! perl "$top/tests/data/make-test-mmdb.pl" "$work/mmdb" >/dev/null; then
	echo "demo: cannot write the demo GeoIP database; install libmaxmind-db-writer-perl" \
		"(qa/install-deps.sh)" >&2
	exit 1
fi
"$build/meridian-dnsd" -t -c "$work/meridian.yaml"

cat <<TRY

meridian-dnsd is starting on 127.0.0.1:5353 with the demo in $work
Try, from another terminal (clients on different continents via EDNS Client Subnet):

  kdig @127.0.0.1 -p 5353 www.example.com A +subnet=67.43.156.0/24     # Ashburn  -> us-east      203.0.113.10
  kdig @127.0.0.1 -p 5353 www.example.com A +subnet=81.2.69.0/24       # London   -> eu-west      198.51.100.10
  kdig @127.0.0.1 -p 5353 www.example.com A +subnet=175.16.199.0/24    # Changchun-> ap-northeast 192.0.2.10
  kdig @127.0.0.1 -p 5353 www.example.com AAAA +subnet=2001:218::/32   # Tokyo    -> ap-northeast
  kdig @127.0.0.1 -p 5353 api.example.com A +subnet=175.16.199.0/24    # map: Asia -> eu-west
  kdig @127.0.0.1 -p 5353 example.com MX
  kdig @127.0.0.1 -p 5353 blog.example.com A                           # CNAME chased
  kdig @127.0.0.1 -p 5353 nothing.example.com A                        # NXDOMAIN + SOA
  kdig @127.0.0.1 -p 5353 id.server CH TXT +nsid

Fail over: drain us-east and ask again as the Ashburn client (eu-west answers now):
  $build/meridianctl -c $work/meridian.yaml drain us-east --reason demo --for 10m
  $build/meridianctl -c $work/meridian.yaml status
  $build/meridianctl -c $work/meridian.yaml explain www.example.com 67.43.156.1
  $build/meridianctl -c $work/meridian.yaml clear us-east

Reload after editing $work/zones/example.com.zone:  kill -HUP $$
Stop: Ctrl-C.

TRY
cd "$work"
exec "$build/meridian-dnsd" -c "$work/meridian.yaml"
