#!/usr/bin/env bash
# Numbers and flags an operator can trust (issue 10): every numeric flag is plain decimal (no
# octal, hex or sign, within range), nonsense flag values and combinations exit 2 naming the
# flag, an unknown chain is an error for the read commands, an unwritable --metrics-file fails
# the run, and messages say what happened. Needs a fresh database (CHAINIDX_DATABASE_URL) and
# node (tests/fakechain serves a small Bitcoin chain).
. "$(dirname "$0")/lib.sh"
: "${CHAINIDX_DATABASE_URL:?needs a fresh database in CHAINIDX_DATABASE_URL}"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
node_pid=""
cleanup() {
    [ -z "$node_pid" ] || kill "$node_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1  # no chainidx.toml of the caller's directory

# --- 4: decimal only; a leading zero is decimal, never octal --------------------------------
run backfill --chain ethereum --from 012 --to 010
expect_code 2 "backfill --from 012 --to 010"
expect_err "--from 12 is above --to 10" "a leading zero is read as decimal, not octal"
for v in 0x10 0b1 0o7 1e3 +5 " 5" 1_000 ""; do
    run rollback --chain ethereum --to-block "$v" --dry-run
    expect_code 2 "rollback --to-block '$v'"
    expect_err "--to-block must be a non-negative decimal integer (got " "--to-block '$v' names the flag"
done
run migrate down 0x1
expect_code 2 "migrate down 0x1"
expect_err "N must be a non-negative decimal integer (got 0x1)" "migrate down N is decimal"

# --- 12: negative and out-of-range numbers, flag combinations ------------------------------
run backfill --chain ethereum --from -1 --to 5
expect_code 2 "backfill --from -1"
expect_err "--from must be a non-negative decimal integer (got -1)" "--from -1 is refused as -1"
run status --chain ethereum --check --max-lag -1
expect_code 2 "status --max-lag -1"
expect_err "--max-lag must be a non-negative decimal integer (got -1)" "--max-lag -1 is refused"
run reconcile --chain ethereum --sample=-1
expect_code 2 "reconcile --sample=-1"
expect_err "--sample must be a non-negative decimal integer (got -1)" "--sample -1 is refused"
run --alert-cooldown -5 status --chain ethereum
expect_code 2 "--alert-cooldown -5"
expect_err "--alert-cooldown must be a non-negative decimal integer (got -5)" "--alert-cooldown -5"
run backfill --chain ethereum --from 1 --to 9223372036854775808
expect_code 2 "backfill --to 2^63"
expect_err "--to must be at most 9223372036854775807" "a block number above bigint is refused"
run backfill --chain ethereum --from 1 --to 99999999999999999999999
expect_code 2 "backfill --to above 2^64"
expect_err "--to must be at most 9223372036854775807" "a block number above 2^64 is refused"
run backfill --chain ethereum --from 1 --to 5 --batch-blocks 0
expect_code 2 "backfill --batch-blocks 0"
expect_err "--batch-blocks must be at least 1 (got 0)" "--batch-blocks 0 says at least 1"
run ingest --chain ethereum --batch-blocks 0 </dev/null
expect_code 2 "ingest --batch-blocks 0"
expect_err "--batch-blocks must be at least 1 (got 0)" "ingest --batch-blocks 0 says at least 1"
run status --chain ethereum --max-lag 5
expect_code 2 "status --max-lag without --check"
expect_err "--max-lag requires --check" "--max-lag without --check is refused"
for addr in 127.0.0.1:99999 127.0.0.1:0 127.0.0.1:0x50 99999 :0 127.0.0.1: ""; do
    run scan --chain ethereum --once --metrics-addr "$addr"
    expect_code 2 "scan --metrics-addr $addr"
    expect_err "--metrics-addr \"$addr\"" "--metrics-addr $addr is refused, naming it"
done

# --- 17: chain names -----------------------------------------------------------------------
for name in "" "a b" "../x" "$(printf 'c%.0s' {1..65})"; do
    run status --chain "$name"
    expect_code 2 "status --chain '$name'"
    expect_err "--chain must be 1 to 64 letters, digits, '-' or '_'" "--chain '$name' is refused"
done
run dlq list --chain ""
expect_code 2 "dlq list --chain ''"
expect_err "--chain must be 1 to 64 letters" "dlq list --chain '' is refused"
printf '[chains.""]\nfamily = "bitcoin"\n' >empty-name.toml
run --config empty-name.toml config show
expect_code 2 "[chains.\"\"] in the config"
expect_err 'empty-name.toml:1: chains."" is not a chain name: must be 1 to 64 letters' "[chains.\"\"] names file and line"

# --- 10: rpc_timeout_ms and rpc_rate_limit ---------------------------------------------------
printf '[chains.x]\nfamily = "bitcoin"\nrpc_timeout_ms = 0\n' >timeout.toml
run --config timeout.toml config show
expect_code 2 "rpc_timeout_ms = 0"
expect_err "timeout.toml:3: chains.x.rpc_timeout_ms must be at least 1" "rpc_timeout_ms = 0 is refused"
printf '[chains.x]\nfamily = "bitcoin"\nrpc_rate_limit = 1e-308\n' >rate.toml
run --config rate.toml config show
expect_code 2 "rpc_rate_limit = 1e-308"
expect_err "rate.toml:3: chains.x.rpc_rate_limit must be 0 (unlimited) or at least 0.001" "a tiny rpc_rate_limit is refused"
printf '[chains.x]\nfamily = "bitcoin"\nrpc_rate_limit = 0\n' >rate0.toml
run --config rate0.toml config show
expect_code 0 "rpc_rate_limit = 0 (unlimited) stays valid"

# --- 15: an unwritable --metrics-file ---------------------------------------------------------
run --metrics-file "$tmp/missing/dir/chainidx.prom" normalize --chain ethereum </dev/null
expect_code 1 "--metrics-file in a missing directory"
expect_err "--metrics-file $tmp/missing/dir/chainidx.prom: cannot create" "it names the path"
expect_err "No such file or directory" "it names the OS error"
expect_err "checked before the run" "it is found before the run"
# Writable when the run starts, gone when it ends: the run fails (exit 1) …
metrics_gone() {  # EXIT_CODE_WANTED INPUT_LINE: normalize waits on a fifo while the dir goes
    mkdir -p "$tmp/m" && rm -f "$tmp/in" && mkfifo "$tmp/in"
    "$CHAINIDX_BIN" --metrics-file "$tmp/m/chainidx.prom" normalize --chain ethereum \
        --input "$tmp/in" >/dev/null 2>"$tmp/err" &
    local pid=$!
    sleep 1
    rm -rf "$tmp/m"
    printf '%s' "$2" >"$tmp/in"
    wait "$pid"
    code=$?
    err=$(cat "$tmp/err")
    expect_code "$1" "metrics directory removed during the run (input '$2')"
    expect_err "metrics not written: --metrics-file $tmp/m/chainidx.prom: cannot create" "the end-of-run failure names the path"
}
metrics_gone 1 ""
# … and a run that failed keeps its own exit code.
metrics_gone 2 "not json"
mkdir -p "$tmp/ok"
run --metrics-file "$tmp/ok/chainidx.prom" normalize --chain ethereum </dev/null
expect_code 0 "a writable --metrics-file"
grep -q '^chainidx_last_run_exit_code{chain="ethereum",command="normalize"} 0$' "$tmp/ok/chainidx.prom" || fail "the metrics file is written, by chain and command"

# --- 4 (with a database): rollback --to-block 020 is block 20, not 16 ------------------------
run migrate up
expect_code 0 "migrate up"
h() { printf '0x%064d' "$1"; }
block() {  # NUMBER HASH_SEED: a block record of ethereum whose parent is block NUMBER-1 below
    printf '{"schema":"chainidx.block/1","chain":"ethereum","number":%s,"hash":"%s","parent_hash":"%s","timestamp":1700000000}\n' \
        "$1" "$(h "$2")" "$(h $(($1 + 99)))"
}
for n in $(seq 0 25); do block "$n" $((n + 100)); done >blocks.ndjson
run ingest --chain ethereum --input blocks.ndjson
expect_code 0 "ingest blocks 0..25"
run rollback --chain ethereum --to-block 020 --dry-run --output json
expect_code 0 "rollback --to-block 020 --dry-run"
expect_out '"to_block": 20' "--to-block 020 is block 20"
expect_out '"blocks_removed": 5' "--to-block 020 would remove blocks 21..25"

# --- 11: an unknown chain is an error for the read commands ----------------------------------
for cmd in "status" "status --verify" "balances" "dlq list"; do
    # shellcheck disable=SC2086  # $cmd is a command and its flags
    run $cmd --chain nosuch
    expect_code 2 "$cmd --chain nosuch"
    expect_err 'unknown chain "nosuch" (configured: arbitrum, base, bsc, ethereum, polygon; indexed: ethereum)' "$cmd names the known chains"
done
run dlq list
expect_code 0 "dlq list without --chain lists every chain"
run status --chain ethereum
expect_code 0 "status of a configured chain"
run status --chain polygon
expect_code 0 "status of a configured chain with nothing indexed"

# --- 17: an ingest conflict names where the batch came from ----------------------------------
block 5 999 >other.ndjson
run ingest --chain ethereum <other.ndjson
expect_code 4 "ingest block 5 with another hash"
expect_err "block 5 is stored as $(h 105), the input stdin has $(h 999)" "the conflict names the input, not the node"

# --- 17: nothing to do is said as such (a fake Bitcoin node) ---------------------------------
node "$root/tests/fakechain/server.js" --family bitcoin --port-file "$tmp/port" --port 0 2>/dev/null &
node_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || fail "the fake Bitcoin node did not start"
printf '[chains.btc]\nfamily = "bitcoin"\nrpc = ["http://127.0.0.1:%s"]\nstart_block = 0\n' "$(cat "$tmp/port")" >btc.toml
run --config btc.toml backfill --chain btc --from 0 --to 7
expect_code 0 "backfill btc 0..7"
run --config btc.toml backfill --chain btc --from 0 --to 7
expect_code 0 "backfill btc 0..7 again"
expect_err "nothing to do: the backfill of blocks 0..7 is already finished" "a finished backfill says nothing to do"
run --config btc.toml scan --chain btc --once
expect_code 0 "scan btc --once at the head"
expect_err "nothing to do: the watermark 7 is at the target 7" "scan at the head says nothing to do"
run --config btc.toml status --chain btc
expect_code 0 "status of a configured and indexed chain"
run status --chain btc
expect_code 0 "status of a chain only the database knows"

finish
