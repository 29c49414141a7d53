#!/usr/bin/env bash
# Fuzzes each libFuzzer target of a CHAINIDX_FUZZ build for a bounded time and fails on any
# finding: a crash, a sanitizer report (ASan, UBSan, a leak), an unexpected exception, a broken
# invariant, an input running longer than 10 s or using more than 2 GB.
#
#   tests/fuzz/run.sh [BUILD_DIR]       default build-sanitize
#
# Seeds: tests/fuzz/corpus/<target>/ (committed regression seeds) and, made at run time from
# tests/fixtures, BUILD_DIR/fuzz/seeds/<target>/ (tests/fuzz/seeds.js; the event records are
# `chainidx normalize` of the raw-block seeds). New inputs the fuzzer finds go to
# BUILD_DIR/fuzz/corpus/<target>/ (kept between local runs), a crashing input to
# BUILD_DIR/fuzz/artifacts/<target>/, each target's log to BUILD_DIR/fuzz/logs/<target>.log.
#
#   CHAINIDX_FUZZ_SECONDS   fuzzing time per target (default 45)
#   CHAINIDX_FUZZ_JOBS      targets fuzzed at once (default 2)
#   CHAINIDX_FUZZ_TARGETS   a space-separated subset of the targets
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. scripts/lib/common.sh

build=${1:-build-sanitize}
case "$build" in /*) ;; *) build="$CHAINIDX_ROOT/$build" ;; esac
seconds=${CHAINIDX_FUZZ_SECONDS:-45}
jobs=${CHAINIDX_FUZZ_JOBS:-2}
targets=${CHAINIDX_FUZZ_TARGETS:-fuzz_ndjson_event fuzz_config fuzz_raw_block_evm
    fuzz_raw_block_bitcoin fuzz_raw_block_solana fuzz_json_rpc_response}
work="$build/fuzz"
sanitizer_env

for t in $targets; do
    [ -x "$build/tests/fuzz/$t" ] || die "no fuzz target $(_rel "$build")/tests/fuzz/$t (configure with -DCHAINIDX_FUZZ=ON)"
done

# ---- seeds from tests/fixtures
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/logs"
node tests/fuzz/seeds.js "$work/seeds" >"$work/logs/seeds.log" 2>&1 ||
    { cat "$work/logs/seeds.log" >&2; die "tests/fuzz/seeds.js failed"; }
# Event records: `chainidx normalize` of the raw blocks (the sanitized binary of this build).
cat >"$work/seeds/chains.toml" <<'TOML'
[chains.ethereum]
family = "evm"
chain_id = 1
[chains.bitcoin]
family = "bitcoin"
[chains.solana]
family = "solana"
TOML
mkdir -p "$work/seeds/fuzz_ndjson_event"
for family in evm bitcoin solana; do
    chain=$family
    [ "$family" = evm ] && chain=ethereum
    events="$work/seeds/events-$family.ndjson"
    : >"$events"
    # Line by line: `normalize` refuses a Bitcoin block without prevouts (verbosity 2), a fine seed
    # for fuzz_raw_block_bitcoin but no source of events.
    while IFS= read -r line; do
        printf '%s\n' "$line" | "$build/chainidx" --config "$work/seeds/chains.toml" \
            normalize --chain "$chain" >>"$events" 2>>"$work/logs/normalize-$family.log" || true
    done <"$work/seeds/raw-$family.ndjson"
    n=$(grep -c '"chainidx.event/1"' "$events")
    [ "$n" -gt 0 ] || { cat "$work/logs/normalize-$family.log" >&2; die "chainidx normalize --chain $chain made no events of the seeds"; }
    # Sanitizer reports of the binary are findings too.
    if grep -qE '^==[0-9]+==ERROR|runtime error:' "$work/logs/normalize-$family.log"; then
        cat "$work/logs/normalize-$family.log" >&2
        die "chainidx normalize --chain $chain: a sanitizer report (above)"
    fi
    # Up to 20 block records, and about 40 event records spread over the stream.
    grep '"chainidx.block/1"' "$events" | head -20 | split -l 1 -a 3 - "$work/seeds/fuzz_ndjson_event/$family-block-"
    grep '"chainidx.event/1"' "$events" | awk -v step=$((n / 40 + 1)) 'NR % step == 1' |
        split -l 1 -a 3 - "$work/seeds/fuzz_ndjson_event/$family-event-"
done
log "seeds: $(cat "$work/logs/seeds.log"), fuzz_ndjson_event: $(ls "$work/seeds/fuzz_ndjson_event" | wc -l)"

# ---- fuzzing, $jobs targets at a time
fuzz_one() {
    local t=$1 bin="$build/tests/fuzz/$1" dict=""
    local corpus="$work/corpus/$t" art="$work/artifacts/$t" logf="$work/logs/$t.log"
    mkdir -p "$corpus" "$art" "tests/fuzz/corpus/$t" "$work/seeds/$t"
    [ -f "tests/fuzz/dict/$t.dict" ] && dict="-dict=tests/fuzz/dict/$t.dict"
    # The first directory receives what the fuzzer finds; the others are only read.
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" ${dict:+"$dict"} \
        "$corpus" "tests/fuzz/corpus/$t" "$work/seeds/$t" >"$logf" 2>&1
    echo $? >"$work/logs/$t.rc"
}

rm -rf "$work/artifacts"
start=$(date +%s)
running=0
for t in $targets; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    fuzz_one "$t" &
    running=$((running + 1))
done
wait

failed=0
for t in $targets; do
    logf="$work/logs/$t.log"
    rc=$(cat "$work/logs/$t.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$logf" | tail -1)
    corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$logf" | tail -1)
    if [ "$rc" -eq 0 ] && ! grep -qE '^==[0-9]+==ERROR|runtime error:|^fuzz finding:|^SUMMARY: ' "$logf"; then
        printf '%-24s ok: %s runs in %s s (%s/s), %s, %s\n' "$t" "${execs:-?}" "$seconds" \
            "$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))" "${cov:-cov: ?}" "${corp:-corp: ?}"
        continue
    fi
    failed=$((failed + 1))
    echo
    # The report from its first line (the finding, then the stack), else the log's end.
    first=$(grep -nE '^fuzz finding:|runtime error:|^==[0-9]+== ?ERROR' "$logf" | head -1 | cut -d: -f1)
    echo "$t FAILED (exit $rc); from $(_rel "$logf"):"
    if [ -n "$first" ]; then
        sed -n "$first,\$p" "$logf" | grep -vE '^\s+(NEW_FUNC|\[[0-9]+, [0-9]+\) )' |
            awk '{ print } /^SUMMARY: / { exit }' | head -45
    else
        tail -30 "$logf"
    fi | sed 's/^/  | /'
    for a in "$work/artifacts/$t"/*; do
        [ -e "$a" ] || continue
        echo "  input: $(_rel "$a") ($(wc -c <"$a") bytes)"
        echo "  rerun: $(_rel "$build")/tests/fuzz/$t $(_rel "$a")"
        echo "  keep as a regression seed once fixed: cp $(_rel "$a") tests/fuzz/corpus/$t/"
    done
done
log "fuzzed $(wc -w <<<"$targets") targets for ${seconds} s each, $jobs at a time, in $(( $(date +%s) - start )) s"
[ "$failed" -eq 0 ]
