# tests/functional/lib/netns.sh -- runs the scenario in a network namespace of its own (source first)
# Sourced before lib.sh: the scenario re-executes itself under `unshare -n` (as root) or
# `unshare -rn` (a user namespace), brings its loopback up and may then use fixed ports
# (the cluster example's, a config's as shipped): nothing else can hold them there.
if [ -z "${MERIDIAN_NETNS:-}" ]; then
	if unshare -n true 2>/dev/null; then
		MERIDIAN_NETNS=1 exec unshare -n bash "$0" "$@"
	elif unshare -rn true 2>/dev/null; then
		MERIDIAN_NETNS=1 exec unshare -rn bash "$0" "$@"
	fi
	echo "SKIP: cannot make a network namespace (unshare -n)"
	exit 77
fi
ip link set lo up 2>/dev/null || { echo "not ok - loopback up in the namespace"; exit 1; }
