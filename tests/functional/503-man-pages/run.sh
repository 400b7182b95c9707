#!/usr/bin/env bash
# 503-man-pages: the built manual pages lint clean with mandoc (errors and warnings; the
# style notes, such as long source lines, are not counted), each program's page names
# every option its --help shows, and meridian.yaml(5) names every key of docs/config.md:
# both come from the option table.
. "$(dirname "$0")/../lib.sh"

command -v mandoc >/dev/null || t_skip "mandoc not installed"
M=$BIN/man
for page in meridian-dnsd.8 meridian-healthcheck.8 meridian-replicator.8 meridianctl.8 meridian.yaml.5; do
	[ -s "$M/$page" ] || t_abort "$page built"
	out=$(mandoc -T lint -W warning "$M/$page" 2>&1)
	t_eq "$page: mandoc -T lint finds no error or warning" "" "$out"
done

# page_text PAGE: the page as text, without hyphenation or line breaks inside words.
page_text() { MANWIDTH=200 mandoc -T ascii -O width=200 "$M/$1" | sed 's/.\x08//g'; }

for prog in meridian-dnsd meridian-healthcheck meridian-replicator meridianctl; do
	text=$(page_text "$prog.8")
	missing=""
	for opt in $("$BIN/$prog" --help 2>&1 | grep -oE -- '(^| |\[)--?[a-z][a-z-]*' | tr -d ' [' | sort -u); do
		grep -qF -- "$opt" <<<"$text" || missing="$missing $opt"
	done
	t_eq "$prog.8 names every option of $prog --help" "" "$missing"
done
text=$(page_text meridianctl.8)
missing=""
for sub in $("$BIN/meridianctl" --help | awk '/^subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	grep -qE "^ +$sub( |$)" <<<"$text" || missing="$missing $sub"
done
t_eq "meridianctl.8 has every subcommand" "" "$missing"

text=$(page_text meridian.yaml.5)
keys=$(grep -oE '^\| `[a-z_]+`' "$SRC/docs/config.md" | tr -d '|` ' | sort -u)
t_check "docs/config.md has keys" [ "$(echo "$keys" | wc -l)" -gt 40 ]
missing=""
for k in $keys; do grep -qE "^ +$k( |$)" <<<"$text" || missing="$missing $k"; done
t_eq "meridian.yaml.5 has every key of docs/config.md" "" "$missing"
conf=$("$BIN/meridianctl" --help | grep -oE '/[^ )]*/meridian/meridian.yaml' | head -1)
t_contains "meridian.yaml.5 names the config the programs read ($conf)" "$conf" "$text"
t_contains "meridian-dnsd.8 names it too" "$conf" "$(page_text meridian-dnsd.8)"
t_done
