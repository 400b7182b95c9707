#!/usr/bin/env bash
# qa/fuzz-dnsd.sh -- the dnsd_answer() harness alone, for SECONDS (default 60): qa/fuzz.sh dnsd
set -euo pipefail
exec "$(dirname "$0")/fuzz.sh" -s "${1:-60}" dnsd
