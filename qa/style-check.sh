#!/usr/bin/env bash
# qa/style-check.sh -- the mechanical rules of the style contract (STYLE.md) over every .c/.h file
#
# usage: qa/style-check.sh [BUILDDIR]
# Errors (exit 1):
#   - line 1 is not `/* SPDX-License-Identifier: MIT */`
#   - line 2 is not a banner `/* NAME -- what it is for */` naming the file itself
#   - a file longer than MAX_LINES (default 850: STYLE.md says "about 800")
#   - a struct or union field with no comment, neither on its line nor on the line(s)
#     just above it (a heuristic: it only looks inside `struct ... {` / `union ... {`
#     bodies, one declaration per line; a comment-only line documents the fields
#     right below it up to a blank line; in tests/ an anonymous struct that only types a
#     table of cases, `static const struct { ... } cases[] = {`, is left out)
#   - an #include "DIR/..." that breaks the floors of docs/architecture.md: base/ includes
#     base/ only; conf/ base/ and conf/; geo/ base/, conf/ and itself; state/ base/ and
#     itself (never conf/: it takes state_params_t); bridge/ base/, conf/, state/ and
#     itself; geo/ and state/ never each other; a program (dnsd/ healthcheck/ replicator/
#     ctl/) the floors below and itself, never another program; bench/ the libraries
#     only. tests/ may include anything (they test every floor).
#   - with BUILDDIR: a global symbol defined by a library object (BUILDDIR/*/lib*.a)
#     that no header in the tree names, i.e. a function that should be static
#     (compiler-made names with a dot, such as target_clones resolvers, are skipped)
# An error listed in qa/style-known.txt ("FILE: MESSAGE", no line number) is printed as
# known and does not fail: it has been reported to the file's owner. Remove the line
# once it is fixed.
# Warnings (printed, exit status unchanged):
#   - a banner that does not close on line 2 (STYLE.md asks for one line)
#   - a file longer than 800 lines (a split should follow a seam, so it is not forced)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# STYLE_CHECK_ROOT: check another tree instead (the fixtures of test 050).
cd "${STYLE_CHECK_ROOT:-$top}"
builddir=${1:-}
max=${MAX_LINES:-850}
# Tracked files; outside a git checkout (a release tarball), every C file in the tree.
sources() {
	if [ -z "${STYLE_CHECK_ROOT:-}" ] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files "$@"
	else
		find . -path './build*' -prune -o -type f \( -name "$1" -o -name "$2" \) -print |
			sed 's|^\./||' | sort
	fi
}

sources '*.c' '*.h' | perl -e '
	use strict; use warnings;
	my ($max) = @ARGV;
	my ($errors, $warnings) = (0, 0);
	# Findings reported to the owner of a file and not yet fixed: "FILE: MESSAGE" lines.
	my %known;
	if (open(my $k, "<", "qa/style-known.txt")) {
		while (<$k>) { chomp; $known{$_} = 1 if /\S/ && !/^#/; }
	}
	sub err {
		my ($where, $msg) = @_;
		(my $file = $where) =~ s/:\d+$//;
		if ($known{"$file: $msg"}) { print "$where: known: $msg\n"; $known{"$file: $msg"} = 2; return; }
		print "$where: error: $msg\n"; $errors++;
	}
	sub warn_ { my ($where, $msg) = @_; print "$where: warning: $msg\n"; $warnings++; }
	# The floors (docs/architecture.md): the directories each directory may include from.
	my @libs = qw(base conf geo state bridge);
	my %may = (
		base => [qw(base)],
		conf => [qw(base conf)],
		geo => [qw(base conf geo)],
		state => [qw(base state)],
		bridge => [qw(base conf state bridge)],
		dnsd => [@libs, "dnsd"],
		healthcheck => [@libs, "healthcheck"],
		replicator => [@libs, "replicator"],
		ctl => [@libs, "ctl"],
		bench => [@libs],
	);
	my %floor_dirs = map { $_ => 1 } keys %may;
	while (my $f = <STDIN>) {
		chomp $f;
		open(my $fh, "<", $f) or die "$f: $!";
		my @l = <$fh>;
		close $fh;
		chomp @l;
		(my $base = $f) =~ s{.*/}{};
		err("$f:1", "first line is not the SPDX line") unless @l && $l[0] eq "/* SPDX-License-Identifier: MIT */";
		my $b = $l[1] // "";
		if ($b !~ m{^/\* (\S+) -- \S}) {
			err("$f:2", "no one-line banner `/* $base -- what it is for */`");
		} elsif ($1 ne $base) {
			err("$f:2", "banner names $1, not $base");
		} elsif ($b !~ m{\*/\s*$}) {
			warn_("$f:2", "banner runs past one line");
		}
		# Include arrows: only down the floors, or within the directory.
		(my $dir = $f) =~ s{/.*}{};
		if ($may{$dir}) {
			my %ok = map { $_ => 1 } @{$may{$dir}};
			for (my $i = 0; $i < @l; $i++) {
				next unless $l[$i] =~ m{^\s*#\s*include\s+"([a-z_]+)/};
				my $to = $1;
				next if !$floor_dirs{$to} && $to ne "tests";
				err("$f:" . ($i + 1), "$dir/ may not include $to/ (docs/architecture.md: "
				    . join(", ", map { "$_/" } @{$may{$dir}}) . " only)") unless $ok{$to};
			}
		}
		my $n = scalar @l;
		if ($n > $max) { err("$f:$n", "$n lines, more than $max: split it along a seam"); }
		elsif ($n > 800) { warn_("$f:$n", "$n lines, more than 800"); }

		# Struct and union bodies. depth counts braces of aggregates only; a brace
		# opened by anything else (an initializer, a function) is not entered.
		# Tests are left out: their structs are table rows, read with the rows below.
		my $check_fields = 1;
		my @pending;          # field findings inside the aggregate being read
		my @stack;            # one entry per open aggregate brace
		my $in_comment = 0;   # inside a /* */ that started on an earlier line
		my $prev_comment = 0; # the lines above are a comment that documents this one
		for (my $i = 0; $i < $n; $i++) {
			my $line = $l[$i];
			my $code = $line;
			my $has_comment = 0;
			if ($in_comment) {
				if ($code =~ s{^.*?\*/}{}) { $in_comment = 0; $has_comment = 1; }
				else { $prev_comment = 1; next; }
			}
			$has_comment = 1 if $code =~ m{/\*|//};
			$code =~ s{/\*.*?\*/}{ }g;
			if ($code =~ s{/\*.*$}{}) { $in_comment = 1; }
			$code =~ s{//.*$}{};
			$code =~ s{"(?:[^"\\]|\\.)*"}{""}g;
			if ($code =~ /^\s*#/) { $prev_comment = 0; next; }
			my $opens_aggregate = $code =~ /\b(?:struct|union)\b[^;()=]*\{\s*$/;
			if (@stack && $stack[-1] eq "agg") {
				# A member: a declaration ending in ";" at this depth, or a nested
				# aggregate (whose closing line carries the member name).
				if ($check_fields && $code =~ /;\s*$/ && $code !~ /^\s*\}/ && !$has_comment && !$prev_comment) {
					push @pending, ["$f:" . ($i + 1), "struct field without a comment: " . ($line =~ s/^\s+//r)];
				}
			}
			for my $ch (split //, $code) {
				if ($ch eq "{") { push @stack, ($opens_aggregate && (!@stack || $stack[-1] eq "agg") ? "agg" : "other"); $opens_aggregate = 0; }
				elsif ($ch eq "}") { pop @stack; }
			}
			if (@pending && !grep { $_ eq "agg" } @stack) {
				# A table of test cases (`static const struct { ... } cases[] = {`):
				# its fields are read with the rows below them, which name each case.
				my $table = $f =~ m{^tests/} && $code =~ /^\s*\}\s*\w+\[\w*\]\s*=/;
				if (!$table) { err(@$_) for @pending; }
				@pending = ();
			}
			# A line holding nothing but comment documents the fields below it, up to
			# a blank line or a field with its own comment (a group comment, as for
			# a pair of fields that mean one thing).
			# (the comment above a struct says what one value means: it documents no field)
			if ($line !~ /\S/ || $code =~ /\{\s*$/) { $prev_comment = 0; }
			elsif ($code =~ /\S/) { $prev_comment = 0 if $has_comment || !$prev_comment || !@stack || $stack[-1] ne "agg"; }
			elsif ($has_comment || $in_comment) { $prev_comment = 1; }
		}
	}
	for my $k (sort grep { $known{$_} == 1 } keys %known) {
		warn_("qa/style-known.txt", "no longer found, delete the line: $k");
	}
	print "style-check: $errors error(s), $warnings warning(s)\n";
	exit($errors ? 1 : 0);
' "$max" || status=1
status=${status:-0}

# Globals a library defines that no header declares: each should be static, or the
# header should say it is part of the contract. Programs (main files) and tests are not
# libraries; they are left to -Wmissing-prototypes, which catches the same for them.
if [ -n "$builddir" ]; then
	globals=0
	headers=$(sources '*.h' '*.h')
	for lib in "$builddir"/*/lib*.a; do
		[ -f "$lib" ] || continue
		# shellcheck disable=SC2086
		for sym in $(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 && $3 !~ /\./ { print $3 }' | sort -u); do
			grep -qw -- "$sym" $headers || {
				echo "${lib#"$builddir"/}: error: $sym is global but in no header"
				globals=$((globals + 1))
			}
		done
	done
	echo "style-check: $globals library global(s) in no header"
	[ "$globals" -eq 0 ] || status=1
fi
exit "$status"
