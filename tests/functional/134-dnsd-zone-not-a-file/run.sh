#!/usr/bin/env bash
# 134-dnsd-zone-not-a-file: a zone file, or an $INCLUDE, naming a directory is refused
# with a clear error instead of a read loop that never ends (found by qa/fuzz zone).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../100-dnsd-lib/dnsd.sh"
cd "$WORK" || exit 1

d_zone
printf '$INCLUDE %s\n' "$WORK/zones" >>zones/example.com.zone
d_config
out=$(timeout 20 "$BIN/meridian-dnsd" -t -c meridian.yaml 2>&1)
t_eq "an \$INCLUDE of a directory: -t exits 1 (not a hang: 124)" 1 $?
t_contains "... naming the directory" "$WORK/zones: cannot read: not a regular file" "$out"

d_zone
sed -i "s|file: zones/example.com.zone|file: zones|" meridian.yaml
out=$(timeout 20 "$BIN/meridian-dnsd" -t -c meridian.yaml 2>&1)
t_eq "a zone file that is a directory: -t exits 1" 1 $?
t_contains "... naming it" "zones: cannot read: not a regular file" "$out"
t_done
