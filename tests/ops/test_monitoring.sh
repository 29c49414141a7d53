#!/usr/bin/env bash
# The dashboard and alert rules of packaging/monitoring, checked by the tools that consume them:
#   1. `promtool check rules` and `promtool test rules` (tests/ops/chainidx-alerts.test.yml: for
#      every alert, series that fire it and series that must not);
#   2. a real Prometheus (Debian prometheus) with the rules loaded, scraping `scan --follow
#      --metrics-addr` on an anvil chain (with a reorg) and node_exporter's textfile collector
#      (Debian prometheus-node-exporter) reading the --metrics-file of `scan --once` and
#      `reconcile`, as the systemd timers write them: node_exporter reads both files without an
#      error (their series never collide), every rule evaluates without error, every dashboard
#      panel's query returns series (tests/ops/dashboard-queries.js), lag is 0 at the head, and
#      after a balance is corrupted ChainidxReconcileDrift and ChainidxRunFailed fire while
#      ChainidxLagging and ChainidxDeadLetterOpen do not.
# Needs CHAINIDX_BIN, prometheus, promtool, prometheus-node-exporter (ensure_packages installs
# them), npm ci in tests/evm; a PostgreSQL of the calling scripts/test, else one of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh
install_cleanup_trap

: "${CHAINIDX_BIN:=$CHAINIDX_ROOT/build/chainidx}"
[ -x "$CHAINIDX_BIN" ] || die "no chainidx binary at $CHAINIDX_BIN: build it (scripts/test does) or set CHAINIDX_BIN"
for tool in prometheus promtool prometheus-node-exporter; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install prometheus prometheus-node-exporter; ensure_packages does)"
done
[ -x "$(anvil_bin)" ] || ensure_node_modules

rules=$CHAINIDX_ROOT/packaging/monitoring/chainidx-alerts.yml
dashboard=$CHAINIDX_ROOT/packaging/monitoring/chainidx-dashboard.json
chain=anvil

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chainidx-monitoring.XXXXXX")
monitor_pids=()
stop_monitors() {
    local pid
    for pid in "${monitor_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${monitor_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    monitor_pids=()
}
trap 'stop_monitors; cleanup_all; rm -rf "$tmp"' EXIT

# ---- 1. the rules, by promtool
if promtool check rules "$rules" >"$tmp/check.log" 2>&1; then ok "promtool check rules: $(grep -o '[0-9]* rules found' "$tmp/check.log")"; else
    cat "$tmp/check.log" >&2; fail "promtool check rules $rules"; fi
if (cd tests/ops && promtool test rules chainidx-alerts.test.yml) >"$tmp/test.log" 2>&1; then
    ok "promtool test rules: tests/ops/chainidx-alerts.test.yml passes"
else cat "$tmp/test.log" >&2; fail "promtool test rules tests/ops/chainidx-alerts.test.yml"; fi

# ---- 2. a chain, the runs that feed the metrics, Prometheus and node_exporter
rpc() { curl -sf -H 'content-type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$ANVIL_URL"; }
head_block() { rpc eth_blockNumber '[]' | node -e 'console.log(Number(JSON.parse(require("fs").readFileSync(0,"utf8")).result))'; }
watermark() { "$CHAINIDX_BIN" status --chain "$chain" --db "$db_url" --config "$config" --output json 2>/dev/null |
    node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8"));const c=Array.isArray(s)?s[0]:s;console.log(c.watermark ?? "")'; }

if ! pg_running; then pg_start >/dev/null; fi
db_url=$(pg_createdb "monitoring_$(date +%s)_$$")
anvil_start >/dev/null
pids_file
node tests/evm/demo-chain.js --rpc "$ANVIL_URL" --out "$tmp/chain" --blocks 12 >/dev/null 2>"$tmp/chain.log" ||
    { cat "$tmp/chain.log" >&2; die "tests/evm/demo-chain.js failed"; }
config=$tmp/chain/chainidx.toml
cx() { "$CHAINIDX_BIN" --config "$config" --db "$db_url" "$@"; }
cx migrate up >/dev/null 2>&1 || die "migrate up failed"

# The timer's scan, into node_exporter's textfile directory (as chainidx-scan-once@.service).
textfile=$tmp/textfile
mkdir -p "$textfile"
cx --metrics-file "$textfile/chainidx-$chain.prom" scan --once --chain "$chain" >/dev/null 2>"$tmp/once.err" ||
    { cat "$tmp/once.err" >&2; fail "scan --once exited non-zero"; }

# The long-running scan, scraped (as chainidx-scan@.service).
metrics_port=$(free_port)
cx scan --follow --chain "$chain" --metrics-addr "127.0.0.1:$metrics_port" >/dev/null 2>"$tmp/follow.err" &
follow_pid=$!
echo "$follow_pid" >>"$CHAINIDX_PIDS_FILE"
wait_for_head() {
    local head
    head=$(head_block)
    for _ in $(seq 1 150); do
        [ "$(watermark)" = "$head" ] && return 0
        kill -0 "$follow_pid" 2>/dev/null || break
        sleep 0.2
    done
    fail "scan --follow did not reach the head $head (watermark '$(watermark)')"
    tail -20 "$tmp/follow.err" >&2
    return 1
}
wait_for_head && ok "scan --follow at the head $(head_block)"
# A reorg of the last 3 blocks (their transfers dropped): the reorg panels get a real depth.
rpc anvil_reorg '[3, []]' >/dev/null || fail "anvil_reorg failed"
rpc anvil_mine '["0x1"]' >/dev/null
wait_for_head && ok "scan --follow unwound the reorg and is at the head $(head_block)"
# 70 empty blocks: anvil's finalized block is 64 below its head, so `reconcile --at finalized`
# (the reconcile timer's command) sees every transfer.
rpc anvil_mine '["0x46"]' >/dev/null || die "anvil_mine failed"
wait_for_head || true
cx --metrics-file "$textfile/chainidx-reconcile-$chain.prom" reconcile --chain "$chain" --at finalized \
    >"$tmp/reconcile.out" 2>&1 || { cat "$tmp/reconcile.out" >&2; fail "reconcile in sync exited non-zero"; }

node_port=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$node_port" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$textfile" >"$tmp/node_exporter.log" 2>&1 &
monitor_pids+=($!)
prom_port=$(free_port)
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$rules"]
scrape_configs:
  - job_name: chainidx
    static_configs: [{targets: ["127.0.0.1:$metrics_port"]}]
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:$node_port"]}]
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" >"$tmp/prometheus.log" 2>&1 &
monitor_pids+=($!)
prom=http://127.0.0.1:$prom_port

# promql EXPR: the first sample's value of EXPR now, or nothing.
promql() {
    curl -sf --get --data-urlencode "query=$1" "$prom/api/v1/query" |
        node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8")).data.result;if(r.length)console.log(r[0].value[1])'
}
# Both targets up for long enough that rate() over 30s has several samples of each.
for _ in $(seq 1 60); do
    [ "$(promql 'min(count_over_time(up[1m])) >= 8 and min(up) == 1' 2>/dev/null)" != "" ] && break
    sleep 1
done
if [ "$(promql 'min(up)')" = "1" ]; then ok "Prometheus scrapes scan --follow and node_exporter"; else
    fail "Prometheus targets are not up: $(curl -s "$prom/api/v1/targets" | head -c 800)"
    tail -5 "$tmp/prometheus.log" "$tmp/node_exporter.log" >&2
fi

# node_exporter merged the scan and reconcile files (a duplicate series would be an error).
if [ "$(promql 'node_textfile_scrape_error')" = "0" ] &&
    [ "$(promql 'count(chainidx_last_run_exit_code{job="node",chain="'$chain'"})')" = "2" ]; then
    ok "node_exporter reads the scan and reconcile --metrics-file side by side"
else fail "node_exporter's textfile collector: scrape error '$(promql node_textfile_scrape_error)'"; tail -5 "$tmp/node_exporter.log" >&2; fi

# Every rule loaded and evaluated without error.
curl -sf "$prom/api/v1/rules" >"$tmp/rules.json"
if node -e '
    const g = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).data.groups;
    const rules = g.flatMap((x) => x.rules);
    const bad = rules.filter((r) => r.health !== "ok");
    for (const r of bad) console.error(`${r.name}: ${r.health} ${r.lastError ?? ""}`);
    console.log(rules.length);
    process.exit(bad.length || rules.length < 8 ? 1 : 0);' "$tmp/rules.json" >"$tmp/rules.count"; then
    ok "Prometheus evaluates all $(cat "$tmp/rules.count") alert rules without error"
else fail "alert rules unhealthy in Prometheus (or fewer than 8 loaded)"; fi

# Every dashboard panel's query returns series.
if node tests/ops/dashboard-queries.js --prometheus "$prom" --chain "$chain" --dashboard "$dashboard" \
    >"$tmp/dashboard.log" 2>&1; then
    ok "dashboard: $(tail -1 "$tmp/dashboard.log")"
else cat "$tmp/dashboard.log" >&2; fail "dashboard queries"; fi

check_value() {  # EXPR WANTED WHAT
    local got
    got=$(promql "$1")
    if [ "$got" = "$2" ]; then ok "$3: $1 = $got"; else fail "$3: $1 is '$got', expected $2"; fi
}
check_value "max(chainidx_head_block{job=\"chainidx\"}) - max(chainidx_watermark_block{job=\"chainidx\"})" 0 "lag at the head"
check_value "max(chainidx_reorgs_total{job=\"chainidx\"})" 1 "the reorg is counted"
check_value "max(chainidx_reorg_depth_blocks_sum{job=\"chainidx\"})" 3 "its depth"
check_value "sum(chainidx_reconcile_mismatches)" 0 "reconcile in sync"

# Drift: a corrupted balance makes reconcile exit 3; its alerts fire, the others stay quiet.
psql -X -q -d "$db_url" -c "UPDATE balances SET amount = amount + 1 WHERE ctid = (SELECT ctid FROM balances WHERE amount > 0 LIMIT 1)" ||
    fail "could not corrupt a balance"
rc=0
cx --metrics-file "$textfile/chainidx-reconcile-$chain.prom" reconcile --chain "$chain" --at finalized \
    >"$tmp/reconcile.out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "reconcile after the corruption exited $rc, expected 3"
alerts() {
    curl -sf "$prom/api/v1/alerts" | node -e '
        const a = JSON.parse(require("fs").readFileSync(0, "utf8")).data.alerts;
        for (const x of a) console.log(`${x.labels.alertname} ${x.state} ${x.labels.kind ?? ""}${x.labels.command ?? ""}`);'
}
for _ in $(seq 1 30); do
    alerts >"$tmp/alerts.txt" || true
    grep -q '^ChainidxReconcileDrift firing chain_balance' "$tmp/alerts.txt" &&
        grep -q '^ChainidxRunFailed firing reconcile' "$tmp/alerts.txt" && break
    sleep 1
done
for want in "ChainidxReconcileDrift firing chain_balance" "ChainidxRunFailed firing reconcile"; do
    if grep -q "^$want" "$tmp/alerts.txt"; then ok "alert: $want"; else fail "alert not firing: $want (alerts: $(tr '\n' ';' <"$tmp/alerts.txt"))"; fi
done
for quiet in ChainidxLagging ChainidxDeadLetterOpen ChainidxBreakerOpen ChainidxNoProgress ChainidxRunStale; do
    if grep -q "^$quiet " "$tmp/alerts.txt"; then fail "$quiet is active on a healthy chain: $(grep "^$quiet " "$tmp/alerts.txt")"; else
        ok "$quiet stays quiet"; fi
done

kill "$follow_pid" 2>/dev/null || true
wait "$follow_pid" 2>/dev/null || true
stop_monitors

# Secrets never come out: the database password is not in any output or metric.
pw=$(sed -n 's#^postgres://[^:]*:\([^@]*\)@.*#\1#p' <<<"$db_url")
if cat "$tmp"/*.err "$tmp"/*.out "$textfile"/*.prom | grep -qF -- "$pw"; then fail "the database password was printed"; else
    ok "no output or metric holds the database password"; fi

if [ "$failures" -gt 0 ]; then
    echo "test_monitoring.sh: $failures failure(s)" >&2
    exit 1
fi
echo "test_monitoring.sh: ok"
