#!/usr/bin/env bash
# End-to-end tests of chainidx on a local anvil chain: gives tests/evm/e2e.js three fresh
# databases on a throwaway PostgreSQL cluster (or on the cluster of the calling scripts/test),
# runs it, and cleans up. Needs CHAINIDX_BIN (default: build/chainidx) and npm ci in tests/evm.
# Arguments are passed to e2e.js (scenario names).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh
install_cleanup_trap

: "${CHAINIDX_BIN:=$CHAINIDX_ROOT/build/chainidx}"
export CHAINIDX_BIN
[ -x "$CHAINIDX_BIN" ] || die "no chainidx binary at $CHAINIDX_BIN: build it (scripts/test does) or set CHAINIDX_BIN"
[ -x "$(anvil_bin)" ] || ensure_node_modules

if ! pg_running; then
    pg_start
fi
suffix="$(date +%s)_$$"
CHAINIDX_DATABASE_URL=$(pg_createdb "e2e_${suffix}_1")
CHAINIDX_DATABASE_URL_2=$(pg_createdb "e2e_${suffix}_2")
CHAINIDX_DATABASE_URL_3=$(pg_createdb "e2e_${suffix}_3")
export CHAINIDX_DATABASE_URL CHAINIDX_DATABASE_URL_2 CHAINIDX_DATABASE_URL_3
pids_file

status=0
node tests/evm/e2e.js "$@" || status=$?
if [ $# -eq 0 ]; then node tests/evm/ops-e2e.js || status=$?; fi
if [ $# -eq 0 ]; then node tests/evm/fault-e2e.js || status=$?; fi
if [ $# -eq 0 ]; then node tests/evm/dlq-e2e.js || status=$?; fi
exit "$status"
