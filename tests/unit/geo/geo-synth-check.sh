#!/usr/bin/env bash
# geo-synth-check.sh -- a small synthetic City database through bench/geo-load-time:
# the generator works, the database opens, and 100k random clients per compiled trie
# get the order and scope the rules give them directly.
set -u
: "${MERIDIAN_BUILDDIR:=$(pwd)}"
: "${MERIDIAN_SRCDIR:=$(cd "$(dirname "$0")/../../.." && pwd)}"
work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-geo-synth.XXXXXX")
trap 'rm -rf "$work"' EXIT

perl "$MERIDIAN_SRCDIR/bench/geo-synth.pl" "$work/synth.mmdb" 20000 5000 300 7 2>"$work/synth.err" ||
	{ cat "$work/synth.err"; echo "FAIL: geo-synth.pl"; exit 1; }
grep -q "ipv4 networks: 20000" "$work/synth.err" || { cat "$work/synth.err"; echo "FAIL: ipv4 count"; exit 1; }
out=$("$MERIDIAN_BUILDDIR/bench/geo-load-time" "$work/synth.mmdb" 20000 2) ||
	{ echo "$out"; echo "FAIL: geo-load-time"; exit 1; }
echo "$out"
[ "$(grep -c 'checked against the rules: 0 disagree' <<<"$out")" = 2 ] || { echo "FAIL: disagreement"; exit 1; }
grep -q "^database: .* 2[45][0-9][0-9][0-9] networks" <<<"$out" || { echo "FAIL: network count"; exit 1; }
echo "PASS"
