#!/usr/bin/env bash
# Config problems exit 2 with file:line and key; secrets never appear in any output.
. "$(dirname "$0")/lib.sh"
unset CHAINIDX_DATABASE_URL  # the file under test must decide the database
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

cat >bad-type.toml <<'TOML'
[chains.mychain]
family = "evm"
chain_id = "one"
TOML
run --config bad-type.toml config show
expect_code 2 "chain_id of the wrong type"
expect_err "bad-type.toml:3: chains.mychain.chain_id must be an integer" "wrong type names file:line:key"

cat >unknown-key.toml <<'TOML'
[chains.mychain]
chain_id = 5
rpcs = ["http://127.0.0.1:1"]
TOML
run --config unknown-key.toml config show
expect_code 2 "unknown key"
expect_err "unknown-key.toml:3: chains.mychain.rpcs is not a known key" "unknown key names file:line"

cat >syntax.toml <<'TOML'
[database
url = "x"
TOML
run --config syntax.toml config show
expect_code 2 "TOML syntax error"
expect_err "syntax.toml:1" "syntax error names the line"

run --config does-not-exist.toml config show
expect_code 2 "missing config file"
expect_err "does-not-exist.toml" "missing config file is named"

cat >unset-var.toml <<'TOML'
[database]
url = "$CHAINIDX_TEST_UNSET_VARIABLE"
TOML
run --config unset-var.toml status --chain ethereum
expect_code 2 "unset variable"
expect_err "unset-var.toml:2: database.url refers to \$CHAINIDX_TEST_UNSET_VARIABLE" "unset variable named"

# Secrets: the password and the RPC key never show, whatever fails.
cat >secret.toml <<'TOML'
[database]
url = "postgres://alice:hunter2-db-secret@127.0.0.1:1/nowhere"
[chains.mychain]
family = "evm"
chain_id = 5
rpc = ["http://127.0.0.1:1/v2/rpc-key-secret-123"]
TOML
all=""
run --config secret.toml config show
expect_code 0 "config show"
expect_out "alice:***@" "config show masks the password"
all+="$out$err"
run --config secret.toml status --chain mychain
expect_code 1 "status with an unreachable database"
all+="$out$err"
run --config secret.toml backfill --chain mychain --from 0 --to 1
all+="$out$err"
run --config secret.toml --db "postgres://bob:db-secret-2@127.0.0.1:1/x" migrate up
expect_err "bob:***@" "connection error names the masked URL"
all+="$out$err"
for secret in hunter2-db-secret rpc-key-secret-123 db-secret-2; do
    grep -qF "$secret" <<<"$all" && fail "secret $secret appeared in output"
done

finish
