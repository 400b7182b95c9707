#!/bin/sh
# man/man-subst.sh -- puts the installed paths into a scdoc page: man-subst.sh SYSCONFDIR LOCALSTATEDIR DOCDIR <in >out
# Each path is escaped for scdoc (a '_' or '*' in it, as in make distcheck's .../_inst,
# would start markup), then for the sed replacement it goes into.
esc() {
	printf '%s' "$1" | sed -e 's/[_*\\]/\\&/g' -e 's/[\\&|]/\\&/g'
}
exec sed -e "s|@sysconfdir@|$(esc "$1")|g" -e "s|@localstatedir@|$(esc "$2")|g" \
	-e "s|@docdir@|$(esc "$3")|g"
