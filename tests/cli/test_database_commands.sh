#!/usr/bin/env bash
# migrate up/down/status and the commands that need a current schema, on a real database.
. "$(dirname "$0")/lib.sh"
: "${CHAINIDX_DATABASE_URL:?needs a fresh database in CHAINIDX_DATABASE_URL}"

run status --chain ethereum
expect_code 2 "status before migrate"
expect_err "chainidx migrate up" "status before migrate says what to do"

run migrate status
expect_code 1 "migrate status with pending migrations"
expect_out "pending" "migrate status lists pending"

run migrate up
expect_code 0 "migrate up"
run migrate up
expect_code 0 "migrate up twice"
expect_err "up to date" "second migrate up is a no-op"

run migrate status --output json
expect_code 0 "migrate status when current"
expect_out '"state": "applied"' "migrate status json"

run migrate down
expect_code 0 "migrate down"
run migrate up
expect_code 0 "migrate up after down"

# Two concurrent migrate runs are serialised, both succeed.
"$CHAINIDX_BIN" migrate down >/dev/null 2>&1
"$CHAINIDX_BIN" migrate up 2>/dev/null & p1=$!
"$CHAINIDX_BIN" migrate up 2>/dev/null & p2=$!
wait $p1 || fail "concurrent migrate up #1"
wait $p2 || fail "concurrent migrate up #2"

run status --chain ethereum --output json
expect_code 0 "status of an unindexed chain"
expect_out '"watermark": null' "status of an unindexed chain has no watermark"

# An empty chain without start_block: scan refuses to guess where to begin (exit 2) before it
# asks the node anything (this endpoint answers nothing), naming the three ways out.
run scan --chain ethereum --once --rpc http://127.0.0.1:9
expect_code 2 "scan of an empty chain without start_block"
for word in start_block "chainidx backfill" --from-head; do
    expect_err "$word" "the refusal names $word"
done
run status --chain ethereum --output json
expect_out '"watermark": null' "the refused scan indexed nothing"

run status --chain ethereum --check
expect_code 5 "status --check with nothing indexed"
expect_err "nothing indexed yet" "status --check says why"

run balances --chain ethereum --output json
expect_code 0 "balances of an unindexed chain"
[ "$out" = "[]" ] || fail "balances of an unindexed chain is an empty array"

finish
