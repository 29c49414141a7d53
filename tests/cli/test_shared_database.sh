#!/usr/bin/env bash
# migrate in a database that is not chainidx's alone (issue 10 #14): a role with only data
# privileges hears "up to date" on a current schema; another tool's schema_migrations is named,
# not a raw SQL error. Needs PGHOST/PGPORT/PGUSER of a superuser (scripts/test exports them).
. "$(dirname "$0")/lib.sh"
: "${CHAINIDX_DATABASE_URL:?needs a fresh database in CHAINIDX_DATABASE_URL}"
: "${PGPORT:?needs the cluster of scripts/test (PGHOST, PGPORT, PGUSER=postgres)}"
db=${CHAINIDX_DATABASE_URL##*/}
db=${db%%\?*}
role="data_only_$$"
as_admin() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@" >/dev/null; }
trap 'as_admin -c "DROP OWNED BY $role" -c "DROP ROLE IF EXISTS $role" 2>/dev/null' EXIT

run migrate up
expect_code 0 "migrate up by the owner"

as_admin -c "CREATE ROLE $role LOGIN PASSWORD 'data-only-pw'" \
    -c "GRANT USAGE ON SCHEMA public TO $role" \
    -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO $role" \
    -c "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO $role"
data_url="postgres://$role:data-only-pw@127.0.0.1:$PGPORT/$db"
run --db "$data_url" migrate up
expect_code 0 "migrate up by a role with data privileges only, on a current schema"
expect_err "up to date" "it says the schema is up to date"
run --db "$data_url" status --chain ethereum
expect_code 0 "that role can read"

# Another tool's schema_migrations (golang-migrate's shape) in a fresh database.
other="${db}_other"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $other OWNER chainidx" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$other" \
    -c "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean)" \
    -c "ALTER TABLE schema_migrations OWNER TO chainidx" >/dev/null
other_url="${CHAINIDX_DATABASE_URL%/*}/$other"
run --db "$other_url" migrate up
expect_code 2 "migrate up next to golang-migrate's table"
expect_err "schema_migrations that is not chainidx's (its columns: version, dirty" "the foreign table is named"
expect_err "options=-csearch_path" "it says how to keep apart"
psql -X -q -d postgres -c "DROP DATABASE $other" >/dev/null

finish
