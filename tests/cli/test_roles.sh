#!/usr/bin/env bash
# Least-privilege database roles (issue 13, part 4), on the real PostgreSQL. The owner runs
# migrate; `chainidx grants` piped into psql (as the superuser) makes the NOLOGIN writer and
# reader groups; LOGIN roles in them then run every command against a fake Bitcoin node
# (tests/fakechain): the writer indexes, reorgs, rolls back, replays, reconciles, ingests and
# settles dead letters, with balances equal to tests/fakechain/expected.js (read by the reader);
# the reader reads, and cannot change a single row of any table, through chainidx or psql.
# Both hear "up to date" from `migrate up` on a current schema; a pending migration and
# `migrate down` name the owner; tables of a later migration are covered by the default
# privileges; no password is printed.
# Needs PGHOST/PGPORT/PGUSER of a superuser (scripts/test exports them), node and curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/lib/common.sh"
: "${CHAINIDX_DATABASE_URL:?needs a fresh database in CHAINIDX_DATABASE_URL}"
: "${PGPORT:?needs the cluster of scripts/test (PGHOST, PGPORT, PGUSER=postgres)}"
command -v node >/dev/null || die "node is needed (tests/fakechain)"
export CHAINIDX_BIN

db=${CHAINIDX_DATABASE_URL##*/}
db=${db%%\?*}
# Roles are the cluster's, shared by every database: names of this run only.
group_w="roles_writer_$$" group_r="roles_reader_$$" w1="roles_w1_$$" r1="roles_r1_$$"
w1_pw="W1-pw-7f3a9e" r1_pw="R1-pw-c41d2b"
writer_url="postgres://$w1:$w1_pw@127.0.0.1:$PGPORT/$db"
reader_url="postgres://$r1:$r1_pw@127.0.0.1:$PGPORT/$db"
dir=$(mktemp -d)
as_admin() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }
drop_roles() {
    as_admin -c "DROP OWNED BY $w1, $r1, $group_w, $group_r" >/dev/null 2>&1
    as_admin -c "DROP ROLE IF EXISTS $w1, $r1, $group_w, $group_r" >/dev/null 2>&1
}
trap 'drop_roles; cleanup_all; rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# as URL ARGS...: chainidx with that role's database URL; all output kept for the password check.
as() {
    local url=$1
    shift
    run --config "$dir/chainidx.toml" --db "$url" "$@"
    printf '%s\n%s\n' "$out" "$err" >>"$dir/all-output"
}
as_owner() { as "$CHAINIDX_DATABASE_URL" "$@"; }
as_writer() { as "$writer_url" "$@"; }
as_reader() { as "$reader_url" "$@"; }
# Balances as the reader, against the independent calculator (branch, optional height).
check_balances() {
    local label=$1 branch=$2 at=${3:-}
    local args=(--config "$dir/chainidx.toml" --db "$reader_url" --chain btc --family bitcoin --branch "$branch")
    [ -z "$at" ] || args+=(--at "$at")
    if ! node "$CHAINIDX_ROOT/tests/chains/balances.js" "${args[@]}" >"$dir/balances.log" 2>&1; then
        out="" err=$(cat "$dir/balances.log")
        fail "$label: balances read by the reader differ from expected.js"
    fi
}
node_control() { curl -fsS -X POST -d "$1" "$FAKECHAIN_URL/control" >/dev/null || fail "fake node control $1"; }
# Every row of every table of the schema, hashed (what the reader must leave untouched).
digest() {
    as_admin -c "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'" |
        tr ',' '\n' | while read -r t; do
            printf '%s ' "$t"
            as_admin -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, ';' ORDER BY x::text)), '') FROM $t x"
        done
}
expect_privilege_error() {  # LABEL: exit 1 and the message that says what to do
    expect_code 1 "$1"
    expect_err "the database role lacks a privilege this command needs (permission denied for" "$1: says which privilege"
    expect_err "chainidx grants" "$1: points at chainidx grants"
}

fakechain_start bitcoin
cat >"$dir/chainidx.toml" <<EOF
[database]
url = "\$CHAINIDX_DATABASE_URL"

[chains.btc]
family = "bitcoin"
rpc = ["$FAKECHAIN_URL"]
start_block = 0
poll_interval_ms = 100
EOF

# --- The owner migrates; the DBA pipes the grants into psql ----------------------------------
as_owner migrate up
expect_code 0 "migrate up by the owner"

as_owner grants
expect_code 0 "chainidx grants"
for want in 'CREATE ROLE "chainidx_writer" NOLOGIN' 'CREATE ROLE "chainidx_reader" NOLOGIN' \
    'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "chainidx_writer"' \
    'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "chainidx_reader"' \
    'ALTER DEFAULT PRIVILEGES FOR ROLE "chainidx" IN SCHEMA "public"' 'BEGIN;' 'COMMIT;' \
    'run again after every upgrade'; do
    expect_out "$want" "grants prints: $want"
done
# Owner and schema given: no connection (this database URL answers nothing).
run grants --owner chainidx --schema chainidx_data --db "postgres://nobody@127.0.0.1:1/none"
expect_code 0 "grants with the owner and schema given, without connecting"
expect_out 'ON ALL TABLES IN SCHEMA "chainidx_data"' "the given schema is used"
env -u CHAINIDX_DATABASE_URL "$CHAINIDX_BIN" grants >"$dir/grants.out" 2>"$dir/grants.err"
code=$? out=$(cat "$dir/grants.out") err=$(cat "$dir/grants.err")
expect_code 2 "grants with neither a database nor --owner"
expect_err "--owner ROLE" "it asks for the owner"
run grants --writer 'x"; DROP TABLE balances; --'
expect_code 2 "a role name that is not a plain name"
expect_err "--writer must be letters, digits" "the bad flag is named"

# The SQL checks where it runs that the schema is chainidx's and the owner is the right one.
as_owner grants --writer "$group_w" --reader "$group_r" --owner postgres
printf '%s\n' "$out" >"$dir/wrong-owner.sql"
err=$(as_admin -f "$dir/wrong-owner.sql" 2>&1) && fail "the grants for a wrong --owner run in psql"
expect_err "are not owned by postgres" "psql says the owner is wrong"
as_owner grants --writer "$group_w" --reader "$group_r" --schema elsewhere --owner chainidx
printf '%s\n' "$out" >"$dir/wrong-schema.sql"
err=$(as_admin -f "$dir/wrong-schema.sql" 2>&1) && fail "the grants for a schema without chainidx tables run in psql"
expect_err "no chainidx tables in schema elsewhere" "psql says the schema has no chainidx tables"
[ "$(as_admin -c "SELECT count(*) FROM pg_roles WHERE rolname IN ('$group_w', '$group_r')")" = 0 ] ||
    fail "refused grants create no role"

as_owner grants --writer "$group_w" --reader "$group_r"
expect_code 0 "grants for this run's group roles"
printf '%s\n' "$out" >"$dir/grants.sql"
for round in first second; do
    as_admin -f "$dir/grants.sql" >"$dir/psql.log" 2>&1 ||
        { err=$(cat "$dir/psql.log"); fail "the grants ($round run) fail in psql as the superuser"; }
done
as_admin -c "CREATE ROLE $w1 LOGIN PASSWORD '$w1_pw' IN ROLE $group_w" \
    -c "CREATE ROLE $r1 LOGIN PASSWORD '$r1_pw' IN ROLE $group_r" >/dev/null ||
    fail "CREATE ROLE … LOGIN IN ROLE the groups"
[ "$(as_admin -c "SELECT string_agg(rolname || '=' || rolcanlogin, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('$group_w', '$group_r')")" = "$group_r=false,$group_w=false" ] ||
    fail "the group roles are NOLOGIN"

# --- migrate: up to date for both; a pending migration and down name the owner -----------------
for who in writer reader; do
    "as_$who" migrate up
    expect_code 0 "migrate up by the $who on a current schema"
    expect_err "the schema is up to date" "the $who hears up to date"
    "as_$who" migrate down
    expect_code 1 "migrate down by the $who"
    expect_err "migration 0004_utxo_spent_pruning needs the schema owner: run \`chainidx migrate down\` as the owner role" "the $who hears who can revert"
done
# An upgrade the writer cannot apply: the owner reverts 0003 and 0004 (0003 makes tables), the
# writer tries, the owner applies them; the default privileges cover the new tables.
as_owner migrate down 2
expect_code 0 "the owner reverts two migrations"
as_writer migrate up
expect_code 1 "migrate up by the writer with migrations pending"
expect_err "migration 0003_families_and_dead_letters needs the schema owner: run \`chainidx migrate up\` as the owner role" "the pending migration and the owner are named"
as_reader migrate status
expect_code 1 "nothing was applied by the writer (migrate status: pending)"
expect_out "pending" "migrate status lists them pending"
as_owner migrate up
expect_code 0 "the owner applies them"
# Not the grants again: what 0003 created must already be the groups'.
[ "$(as_admin -c "SELECT has_table_privilege('$w1', 'utxos', 'INSERT') AND has_table_privilege('$w1', 'dead_letters', 'UPDATE') AND has_sequence_privilege('$w1', 'dead_letters_id_seq', 'USAGE') AND has_table_privilege('$r1', 'quarantined_tokens', 'SELECT') AND NOT has_table_privilege('$r1', 'utxos', 'INSERT')")" = t ] ||
    fail "tables of a later migration get the groups' privileges (ALTER DEFAULT PRIVILEGES)"

# --- The writer indexes; the reader reads ---------------------------------------------------
as_reader status --chain btc
expect_code 0 "status by the reader before anything is indexed"
as_writer backfill --chain btc --from 0 --to 4
expect_code 0 "backfill by the writer"
as_writer scan --chain btc --once
expect_code 0 "scan --once by the writer"
check_balances "backfill + scan" main
as_reader status --chain btc --verify --output json
expect_code 0 "status --verify by the reader"
expect_out '"watermark": 7' "the reader sees the watermark"
as_writer reconcile --chain btc
expect_code 0 "reconcile by the writer (stores its run)"
node_control '{"op":"branch","name":"fork"}'
as_writer scan --chain btc --once
expect_code 0 "scan --once by the writer over a reorg"
expect_err "reorg" "the reorg is unwound"
check_balances "after the fork" fork
as_writer rollback --chain btc --to-block 3 --yes --reason "roles test"
expect_code 0 "rollback by the writer"
check_balances "rollback to 3" fork 3
as_writer replay --chain btc --from 1 --to 3
expect_code 0 "replay by the writer"
as_writer scan --chain btc --once
expect_code 0 "scan --once by the writer after the rollback"
check_balances "rescan after the rollback" fork
as_reader balances --chain btc --at finalized
expect_code 0 "balances --at finalized by the reader"

h() { printf '0x%064x' "$1"; }
{
    printf '{"schema":"chainidx.block/1","chain":"ethereum","number":0,"hash":"%s","parent_hash":"%s","timestamp":1700000000}\n' "$(h 0)" "$(h 99)"
    printf '{"schema":"chainidx.event/1","chain":"ethereum","block":0,"block_hash":"%s","tx":"%s","index":0,"leg":1,"token":"0x%040x","account":"0x%040x","delta":"1234"}\n' "$(h 0)" "$(h 1000)" 7 1
} >"$dir/events.ndjson"
as_reader ingest --chain ethereum -i "$dir/events.ndjson"
expect_privilege_error "ingest by the reader"
as_writer ingest --chain ethereum -i "$dir/events.ndjson"
expect_code 0 "ingest by the writer"
as_reader balances --chain ethereum --output json
expect_out '"amount": "1234"' "the reader sees the ingested balance"

# Dead letters (made by hand: the fake node's blocks all normalize): settled by the writer.
token=$(as_admin -c "SELECT encode(token, 'hex') FROM balance_events WHERE chain = 'btc' LIMIT 1")
hash3=$(as_admin -c "SELECT encode(hash, 'hex') FROM blocks WHERE chain = 'btc' AND number = 3")
ids=$(as_admin -c "INSERT INTO dead_letters (chain, block_number, block_hash, tx, item_index, token, source, error, payload) SELECT 'btc', 3, decode('$hash3', 'hex'), decode(repeat(to_hex(n), 64), 'hex'), 0, decode('$token', 'hex'), 'roles test', 'made by hand', '{}' FROM generate_series(10, 11) n RETURNING id" | tr '\n' ' ')
read -r dl1 dl2 <<<"$ids"
as_reader dlq list --status all
expect_code 0 "dlq list by the reader"
expect_out "made by hand" "the reader lists the dead letters"
as_reader dlq show "$dl1"
expect_code 0 "dlq show by the reader"
as_writer dlq retry "$dl1"
expect_code 0 "dlq retry by the writer"
expect_out "resolved" "the retried item normalizes"
as_reader dlq discard "$dl2" --reason "not mine"
expect_privilege_error "dlq discard by the reader"
as_writer dlq discard "$dl2" --reason "roles test"
expect_code 0 "dlq discard by the writer"
[ "$(as_admin -c "SELECT string_agg(status, ',' ORDER BY id) FROM dead_letters")" = "resolved,discarded" ] ||
    fail "the writer's retry and discard are stored"

# --- The reader cannot write: through chainidx -----------------------------------------------
before=$(digest)
as_reader scan --chain btc --once
expect_privilege_error "scan by the reader"
as_reader backfill --chain btc --from 0 --to 8
expect_privilege_error "backfill by the reader"
as_reader rollback --chain btc --to-block 2 --yes
expect_privilege_error "rollback by the reader"
as_reader replay --chain btc --from 1 --to 3
expect_privilege_error "replay by the reader"
as_reader reconcile --chain btc
expect_privilege_error "reconcile by the reader"
as_reader ingest --chain ethereum -i "$dir/events.ndjson"
expect_privilege_error "ingest by the reader (again)"
as_reader migrate down
expect_code 1 "migrate down by the reader"
expect_err "needs the schema owner" "migrate down by the reader names the owner"
[ "$(digest)" = "$before" ] || fail "the reader's refused commands changed nothing"

# --- … and through psql, on every table of the schema ---------------------------------------
psql_as() {  # URL SQL: psql as that role; out/err/code like run
    out="" err=$(psql -X -q -v ON_ERROR_STOP=1 "$1" -c "$2" 2>&1 >/dev/null)
    code=$?
}
refused() {  # URL SQL WHY LABEL: the statement fails, and PostgreSQL says WHY
    psql_as "$1" "$2"
    if [ "$code" -eq 0 ] || ! grep -qF -- "$3" <<<"$err"; then fail "$4: $2 is refused ($3)"; fi
}
mapfile -t tables < <(as_admin -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
[ "${#tables[@]}" -ge 13 ] || fail "found ${#tables[@]} tables in the schema, expected chainidx's 13 or more"
for t in "${tables[@]}"; do
    col=$(as_admin -c "SELECT attname FROM pg_attribute WHERE attrelid = 'public.$t'::regclass AND attnum = 1")
    for sql in "INSERT INTO $t DEFAULT VALUES" "UPDATE $t SET $col = $col" "DELETE FROM $t" "TRUNCATE $t"; do
        refused "$reader_url" "$sql" "permission denied for table $t" "the reader"
    done
    psql_as "$reader_url" "SELECT count(*) FROM $t"
    [ "$code" -eq 0 ] || fail "the reader can read $t"
    refused "$writer_url" "TRUNCATE $t" "permission denied for table $t" "the writer"
    refused "$writer_url" "ALTER TABLE $t ADD COLUMN roles_test int" "must be owner of table $t" "the writer"
done
# Only migrate (the owner) writes the record of migrations.
for sql in "UPDATE schema_migrations SET checksum = checksum" "DELETE FROM schema_migrations" \
    "INSERT INTO schema_migrations VALUES (99, 'x', 'x')"; do
    refused "$writer_url" "$sql" "permission denied for table schema_migrations" "the writer"
done
for url in "$writer_url" "$reader_url"; do
    refused "$url" "CREATE TABLE roles_test (x int)" "permission denied for schema public" "a group role"
done
refused "$reader_url" "SELECT nextval('reorgs_id_seq')" "permission denied for sequence reorgs_id_seq" "the reader"
[ "$(digest)" = "$before" ] || fail "the refused statements changed nothing"

# --- No password in anything printed ----------------------------------------------------------
for pw in "$w1_pw" "$r1_pw" "s3cret-pw"; do
    if grep -qF -- "$pw" "$dir/all-output"; then
        out="" err=$(grep -F -- "$pw" "$dir/all-output" | head -3)
        fail "a password was printed"
    fi
done

finish
