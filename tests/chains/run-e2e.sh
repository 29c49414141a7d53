#!/usr/bin/env bash
# End-to-end tests of chainidx on Bitcoin and Solana (tests/chains/e2e.js) against the fake
# nodes of tests/fakechain, on a throwaway PostgreSQL cluster (or the one of the calling
# scripts/test). Needs CHAINIDX_BIN (default: build/chainidx), node and openssl. Arguments are
# passed to e2e.js (scenario names).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh
install_cleanup_trap

: "${CHAINIDX_BIN:=$CHAINIDX_ROOT/build/chainidx}"
export CHAINIDX_BIN
[ -x "$CHAINIDX_BIN" ] || die "no chainidx binary at $CHAINIDX_BIN: build it (scripts/test does) or set CHAINIDX_BIN"

if ! pg_running; then
    pg_start
fi
CHAINIDX_DATABASE_URL=$(pg_createdb "chains_$(date +%s)_$$")
export CHAINIDX_DATABASE_URL
pids_file
node tests/chains/e2e.js "$@"
