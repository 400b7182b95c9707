# tests/functional/lib/install.sh -- make install into a DESTDIR, for the install scenarios (source after lib.sh)
# i_install DEST: installs this build into DEST (output in $WORK/install.log) and sets
# I_PREFIX, I_BINDIR, ... to the configured directories (without DEST).
i_install() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BIN" install DESTDIR="$1" >"$WORK/install.log" 2>&1 || {
		sed 's/^/#   /' "$WORK/install.log" | tail -20
		return 1
	}
}

# i_dirs: the build's installation directories, as make expands them.
i_dirs() {
	local v
	for v in prefix bindir sbindir sysconfdir localstatedir docdir mandir \
		systemdsystemunitdir sysusersdir tmpfilesdir; do
		# Not as part of the make check that runs us: its flags may print directories.
		eval "I_$v=\$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C \"\$BIN\" --no-print-directory -f Makefile -f - i-print-$v <<'MK'
i-print-%:
	@echo \$(\$*)
MK
)"
	done
}
