#!/usr/bin/env bash
# ingest of hostile or careless NDJSON (issue 10: 3, 8, 16): numbers the database cannot hold,
# one event id with two contents, blocks out of order, gaps; each bad input exits 2 at stdin:LINE
# and leaves nothing of its window behind.
. "$(dirname "$0")/lib.sh"
: "${CHAINIDX_DATABASE_URL:?needs a fresh database in CHAINIDX_DATABASE_URL}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

h() { printf '0x%064x' "$1"; }
block() {  # block N [TIMESTAMP]
    printf '{"schema":"chainidx.block/1","chain":"ethereum","number":%s,"hash":"%s","parent_hash":"%s","timestamp":%s}\n' \
        "$1" "$(h "$1")" "$(h $(($1 - 1)))" "${2:-1700000000}"
}
event() {  # event BLOCK INDEX ACCOUNT DELTA
    printf '{"schema":"chainidx.event/1","chain":"ethereum","block":%s,"block_hash":"%s","tx":"%s","index":%s,"leg":1,"token":"0x%040x","account":"0x%040x","delta":"%s"}\n' \
        "$1" "$(h "$1")" "$(h $((1000 + $1)))" "$2" 7 "$3" "$4"
}
ingest() { run ingest --chain ethereum -i "$dir/in.ndjson"; }
stored_blocks() {
    "$CHAINIDX_BIN" status --chain ethereum --output json | grep -o '"block_count": [0-9]*' | grep -o '[0-9]*$'
}

run migrate up
expect_code 0 "migrate up"

# 3. Numbers above what bigint / integer hold: exit 2 at the line, nothing stored.
printf '{"schema":"chainidx.block/1","chain":"ethereum","number":9223372036854775808,"hash":"%s","parent_hash":"%s","timestamp":1}\n' "$(h 1)" "$(h 0)" >"$dir/in.ndjson"
ingest
expect_code 2 "block number 2^63"
expect_err "in.ndjson:1: block number 9223372036854775808 is above 9223372036854775807" "2^63 named at its line"
block 0 9223372036854775808 >"$dir/in.ndjson"
ingest
expect_code 2 "timestamp 2^63"
expect_err "in.ndjson:1:" "timestamp named at its line"
{ block 0; event 0 2147483648 1 5; } >"$dir/in.ndjson"
ingest
expect_code 2 "event index 2^31"
expect_err "in.ndjson:2: field \"index\" is 2147483648" "index named at its line"
[ "$(stored_blocks)" = 0 ] || fail "nothing is stored after refused numbers"

# 8. One event id with two contents: an error naming both lines.
{ block 0; event 0 0 1 5; event 0 0 2 5; } >"$dir/in.ndjson"
ingest
expect_code 2 "one id, two accounts"
expect_err "in.ndjson:3: event id" "the second line is named"
expect_err "was already given at line 2" "the first line is named"
[ "$(stored_blocks)" = 0 ] || fail "nothing is stored after a clashing id"
# The same line twice is the same event: stored once.
{ block 0; event 0 0 1 5; event 0 0 1 5; } >"$dir/in.ndjson"
ingest
expect_code 0 "an identical line repeated"
run balances --chain ethereum --output json
expect_out '"amount": "5"' "a repeated line counts once"

# 16. Out of order: refused at the line.
{ block 1; block 2; block 2; } >"$dir/in.ndjson"
ingest
expect_code 2 "a block repeated"
expect_err "in.ndjson:3: block 2 comes after block 2" "repeated block named"
{ block 5; block 4; } >"$dir/in.ndjson"
ingest
expect_code 2 "blocks out of order"
expect_err "in.ndjson:2: block 4 comes after block 5" "out of order named"

# A gap starts a new batch of the same window: a bad line after it leaves nothing of the window.
before=$(stored_blocks)
{ block 1; block 2; block 6; block 7; echo '{"schema":"chainidx.block/1"'; } >"$dir/in.ndjson"
ingest
expect_code 2 "a bad line after a gap"
[ "$(stored_blocks)" = "$before" ] || fail "a bad line after a gap left blocks of its window behind"

# A gap is allowed, said, and recorded so that status --verify knows why the blocks are there.
{ block 1; block 2; block 6; event 6 0 3 9; block 7; } >"$dir/in.ndjson"
ingest
expect_code 0 "a gap"
expect_err "blocks 3..5 are not in the input" "the gap is said"
run status --chain ethereum --verify --output json
expect_code 0 "status --verify after a gap"
expect_out '"watermark": 2' "the watermark stays below the gap"
expect_out '"continuity_problems": []' "a gap in the input is no continuity problem"
ingest
expect_code 0 "the same input again"
run status --chain ethereum --verify
expect_code 0 "status --verify after the rerun"

finish
