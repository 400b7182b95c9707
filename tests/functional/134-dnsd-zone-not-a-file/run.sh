#!/usr/bin/env bash
# 134-dnsd-zone-not-a-file: a zone file, or an $INCLUDE, naming a directory is refused
# with a clear error instead of a read loop that never ends; a relative $INCLUDE origin
# after a $ORIGIN that did not parse is an error, not an abort inside ldns (both found by
# qa/fuzz zone).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
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

d_zone
printf '$ORIGIN %s.example.com.\n$INCLUDE %s sub\n' "$(head -c 70 /dev/zero | tr '\0' a)" \
	"$WORK/zones/example.com.zone" >>zones/example.com.zone
d_config
out=$(timeout 20 "$BIN/meridian-dnsd" -t -c meridian.yaml 2>&1)
t_eq "a relative \$INCLUDE origin after a bad \$ORIGIN: exits 1 (not 134: abort)" 1 $?
t_contains "... naming file, line and origin" \
	"example.com.zone:$(wc -l <zones/example.com.zone): bad \$INCLUDE origin sub" "$out"
t_done
