#!/usr/bin/env bash
# qa/fuzz-dnsd.sh -- libFuzzer (with ASan+UBSan) over dnsd_answer(): parser, lookup, renderer
#
# usage: qa/fuzz-dnsd.sh [SECONDS]   (default 60; the corpus is kept in build-fuzz/corpus)
# Builds the engine sources with clang -fsanitize=fuzzer,address,undefined into
# build-fuzz/dnsd-fuzz, seeds the corpus with a few well-formed queries, and runs.
# A crash leaves crash-* files in build-fuzz; rerun one with: build-fuzz/dnsd-fuzz FILE
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=$top/build-fuzz
command -v clang >/dev/null || { echo "qa/fuzz-dnsd.sh: clang is needed (apt-get install clang)" >&2; exit 1; }
mkdir -p "$out/corpus"
[ -f "$out/config.h" ] || : >"$out/config.h"
engine=$(awk '/^dnsd_engine_sources/ { on = 1 } on { print } on && !/\\$/ { exit }' \
	"$top/dnsd/engine.mk" | grep -o 'dnsd/[a-z_]*\.c' | sort -u)
# shellcheck disable=SC2086
clang -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -I"$top" -I"$out" $(pkg-config --cflags ldns) \
	-o "$out/dnsd-fuzz" "$top/qa/fuzz/dnsd_fuzz.c" \
	$(for f in $engine; do echo "$top/$f"; done) "$top/base/log.c" \
	$(pkg-config --libs ldns libcrypto)
# Seeds: www A, alias A with EDNS+NSID, geo A with ECS, big TXT, CHAOS id.server, DNAME,
# and DO queries (the fuzz zone is signed at load): NXDOMAIN, geo, wildcard, referral.
python3 - "$out/corpus" <<'PY'
import struct, sys, os
d = sys.argv[1]
def q(name, qtype, qclass=1, opt=b""):
    m = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 1 if opt else 0)
    for l in name.split("."):
        m += bytes([len(l)]) + l.encode()
    return m + b"\0" + struct.pack("!HH", qtype, qclass) + opt
def opt(options=b"", do=False):
    return b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000 if do else 0, len(options)) + options
ecs = struct.pack("!HH", 8, 7) + struct.pack("!HBB", 1, 24, 0) + bytes([81, 2, 69])
seeds = {"www": q("www.example.com", 1), "alias": q("alias.example.com", 1, 1, opt(struct.pack("!HH", 3, 0))),
         "geo": q("geo.example.com", 1, 1, opt(ecs)), "big": q("big.example.com", 16),
         "chaos": q("id.server", 16, 3), "wild": q("a.b.wild.example.com", 255, 1, opt()),
         "ref": q("x.sub.example.com", 28), "dname": q("x.old.example.com", 1),
         "do-nx": q("nope.example.com", 1, 1, opt(do=True)),
         "do-geo": q("geo.example.com", 1, 1, opt(ecs, do=True)),
         "do-wild": q("a.wild.example.com", 16, 1, opt(do=True)),
         "do-ref": q("x.sub.example.com", 1, 1, opt(do=True))}
for k, v in seeds.items():
    open(os.path.join(d, "seed-" + k), "wb").write(v)
PY
cd "$out"
exec ./dnsd-fuzz -max_total_time="$secs" -max_len=1024 -print_final_stats=1 corpus
