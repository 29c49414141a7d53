#!/usr/bin/env bash
# Secrets are never printed, and connection strings are checked before use (issue 10): a DSN
# libpq does not take, an RPC or webhook URL that is not http(s), a misplaced or misspelled flag
# with a URL after it all exit 2 naming where the value came from and never showing it; no
# password or API key appears on stdout, stderr (text or JSON logs) or in an alert payload.
. "$(dirname "$0")/lib.sh"
: "${CHAINIDX_DATABASE_URL:?needs a fresh database in CHAINIDX_DATABASE_URL}"
good_db=$CHAINIDX_DATABASE_URL
unset CHAINIDX_DATABASE_URL CHAINIDX_ALERT_WEBHOOK CHAINIDX_ETHEREUM_RPC CHAINIDX_CONFIG
dir=$(mktemp -d)
listener_pid=""
cleanup() {
    [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir" || exit 1

# Distinctive secrets: each must never show anywhere.
db_pw=S3cretPwQ7x
query_pw=QueryPwV5n
rpc_key=K3yRpcZ9w
rpc_pw=Us3rPwM4k
at_pw_tail=tPwAt9Hid
hook_key=H00kT0kenX5
secrets=("$db_pw" "$query_pw" "$rpc_key" "$rpc_pw" "$at_pw_tail" "$hook_key")
all=""  # every stdout and stderr of this test
keep() { all+="$out"$'\n'"$err"$'\n'; }

# A local listener on 127.0.0.1: POST /hook/… is the alert webhook (bodies appended to
# hooks.ndjson); any other POST is an RPC node that refuses the key and repeats it back.
cat >listener.js <<'JS'
const http = require('node:http');
const fs = require('node:fs');
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    let code = 200;
    let text = 'ok';
    if (req.url.startsWith('/hook/')) {
      fs.appendFileSync('hooks.ndjson', Buffer.concat([body, Buffer.from('\n')]));
    } else {
      code = 401;
      text = `invalid api key in ${req.url} (auth ${req.headers.authorization})`;
    }
    res.writeHead(code, { 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
});
s.listen(0, '127.0.0.1', () => fs.writeFileSync('port', String(s.address().port)));
JS
node listener.js &
listener_pid=$!
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
hook="http://127.0.0.1:$port/hook/$hook_key"
node="http://rpcuser:$rpc_pw@127.0.0.1:$port/v2/$rpc_key"

# --- Item 2: a DSN libpq does not take is refused naming its origin, never repeated -----------
bad_dsns=("POSTGRESQL://app:$db_pw@127.0.0.1:1/idx" "postgresq://app:$db_pw@127.0.0.1:1/idx"
    "jdbc:postgresql://app:$db_pw@127.0.0.1:1/idx" "postgresql:/app:$db_pw@127.0.0.1:1/idx")
for dsn in "${bad_dsns[@]}"; do
    for format in text json; do
        run --log-format "$format" --alert-webhook "$hook" --db "$dsn" migrate up
        expect_code 2 "malformed DSN ($format): $dsn"
        expect_err "flag --db" "malformed DSN names the flag"
        keep
    done
    CHAINIDX_DATABASE_URL=$dsn run status --chain ethereum
    expect_code 2 "malformed DSN from the environment"
    expect_err "env CHAINIDX_DATABASE_URL" "malformed DSN names the variable"
    keep
    CHAINIDX_DATABASE_URL=$dsn run config show
    expect_code 0 "config show with a malformed DSN in the environment"
    keep
    printf '[database]\nurl = "%s"\n' "$dsn" >dsn.toml
    run --config dsn.toml migrate up
    expect_code 2 "malformed DSN from a file"
    expect_err "dsn.toml:2: database.url" "malformed DSN names file:line"
    keep
done

# A failed run alerts, and the alert carries no secret (only usage errors do not alert).
run --alert-webhook "$hook" --db "postgres://app:$db_pw@127.0.0.1:1/idx" migrate up
expect_code 1 "unreachable database"
keep
run --log-format json --alert-webhook "$hook" backfill --chain ethereum --from 1 --to 2 \
    --emit raw --rpc "$node"
expect_code 1 "a node that refuses the key and repeats it"
expect_err "invalid api key" "the node's answer is still shown"
keep
grep -q '"kind":"failure"' hooks.ndjson 2>/dev/null || fail "failed runs were not alerted"
[ "$(grep -c '"kind":"failure"' hooks.ndjson 2>/dev/null)" -ge 2 ] || fail "both failures alerted"
all+="$(cat hooks.ndjson 2>/dev/null)"$'\n'

# A working database with the password known to PostgreSQL: the normal path is unchanged.
run --db "$good_db" migrate up
expect_code 0 "migrate up with a good DSN"

# --- Item 5: RPC and webhook URLs are http(s) only, checked at once ----------------------------
hostname_text=$(cat /etc/hostname 2>/dev/null || echo no-hostname-file)
for url in "file:///etc/hostname" "" "not a url" "ftp://127.0.0.1/$rpc_key" "gopher://h/$rpc_key"; do
    start=$SECONDS
    run backfill --chain ethereum --from 1 --to 2 --db "$good_db" --rpc "$url"
    expect_code 2 "--rpc '$url'"
    expect_err "flag --rpc (chain ethereum)" "a bad --rpc names the flag and the chain"
    [ $((SECONDS - start)) -le 5 ] || fail "--rpc '$url' was retried instead of refused"
    [ -n "$hostname_text" ] && grep -qF -- "$hostname_text" <<<"$out$err" &&
        fail "--rpc '$url' printed /etc/hostname"
    keep
done
CHAINIDX_ETHEREUM_RPC="ftp://127.0.0.1/$rpc_key" run scan --once --chain ethereum --db "$good_db"
expect_code 2 "a bad endpoint in the environment"
expect_err "env CHAINIDX_ETHEREUM_RPC (chain ethereum)" "a bad env endpoint names the variable"
keep
cat >rpc.toml <<TOML
[chains.mychain]
chain_id = 5
rpc = ["http://127.0.0.1:1", "file:///etc/hostname"]
TOML
run --config rpc.toml backfill --chain mychain --from 1 --to 2 --db "$good_db"
expect_code 2 "a bad endpoint in the file"
expect_err "rpc.toml:3: chains.mychain.rpc: endpoint 2 of 2" "a bad file endpoint names file:line"
keep
run --alert-webhook not-a-url config show
expect_code 2 "--alert-webhook not-a-url"
expect_err "flag --alert-webhook" "a bad webhook names the flag"
CHAINIDX_ALERT_WEBHOOK="ftp://127.0.0.1/$hook_key" run config show
expect_code 2 "CHAINIDX_ALERT_WEBHOOK=ftp://…"
expect_err "env CHAINIDX_ALERT_WEBHOOK" "a bad webhook names the variable"
keep

# --- Item 6: a misplaced or misspelled flag never echoes its value ----------------------------
for args in "--rpc|http://u:$rpc_pw@h/v2/$rpc_key|backfill|--chain|ethereum|--from|1|--to|2" \
    "backfill|--chain|ethereum|--from|1|--to|2|--rpcs|http://h/v2/$rpc_key" \
    "backfill|--chain|ethereum|--from|1|--to|2|--rpc-url=http://h/v2/$rpc_key" \
    "--dbb|postgresql://u:$db_pw@127.0.0.1/idx|backfill|--chain|ethereum|--from|1|--to|2" \
    "backfill|--chain|ethereum|--from|1|--to|2|stray|$rpc_key" \
    "backfill|--chain|ethereum|--from|$rpc_key|--to|2" \
    "--log-level|$db_pw|config|show"; do
    IFS='|' read -r -a argv <<<"$args"
    run "${argv[@]}"
    expect_code 2 "bad arguments: ${argv[*]}"
    keep
done
run --rpc "http://u:$rpc_pw@h/v2/$rpc_key" backfill --chain ethereum --from 1 --to 2
expect_err "unknown or misplaced flag --rpc (values are not shown)" "a misplaced flag is named"
run backfill --chain ethereum --from 1 --to 2 --rpc-url="http://h/v2/$rpc_key"
expect_err "--rpc-url" "a misspelled flag is named without its value"

# --- Item 7: redaction of '@' in passwords and of query passwords ------------------------------
cat >at.toml <<TOML
[database]
url = "postgresql://app:S3cr@$at_pw_tail@127.0.0.1/idx"
TOML
run --config at.toml config show
expect_code 0 "config show with an unencoded '@' in the password"
keep
run --config at.toml migrate up
expect_code 2 "an unencoded '@' in the password is refused"
expect_err "%40" "says how to write a '@'"
keep
run --db "postgres://app:$db_pw@127.0.0.1:1/idx?sslmode=disable&password=$query_pw" config show
expect_code 0 "config show with a query password"
expect_out "password=***" "the query password is masked"
keep
CHAINIDX_ETHEREUM_RPC="https://u:Pw@$at_pw_tail@127.0.0.1:1/v2/$rpc_key" run config show
expect_code 0 "config show with '@' in an endpoint's password"
keep
run --log-format json status --chain ethereum --rpc "https://127.0.0.1:1/rpc?apikey=$rpc_key" \
    --db "postgres://app:$db_pw@127.0.0.1:1/idx"
keep

for secret in "${secrets[@]}"; do
    grep -qF -- "$secret" <<<"$all" && fail "secret $secret appeared: $(grep -F -- "$secret" <<<"$all" | head -3)"
done
finish
