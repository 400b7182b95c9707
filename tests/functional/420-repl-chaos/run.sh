#!/usr/bin/env bash
# 420-repl-chaos: a short run of qa/chaos.sh (20 replicator kills, 2 store restores, 2
# partitions, writer kills, a skewed clock, a relay chain, a hostile peer); the long run
# and its figures are in docs/replication.md.
top=$(cd "$(dirname "$0")/../../.." && pwd)
src=${MERIDIAN_SRCDIR:-$top}
T_NAME=420-repl-chaos exec bash "$src/qa/chaos.sh" "${MERIDIAN_BUILDDIR:-$top/build}" 20 2 2
