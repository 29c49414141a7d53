#!/usr/bin/env bash
# Every subcommand has a --help with an example, and a bad argument exits 2 naming the flag.
. "$(dirname "$0")/lib.sh"

run --help
expect_code 0 "chainidx --help"
for sub in migrate backfill scan status balances config grants; do
    expect_out "$sub" "chainidx --help lists $sub"
done

for sub in "migrate up" "migrate down" "migrate status" backfill scan status balances "config show" grants; do
    # shellcheck disable=SC2086
    run $sub --help
    expect_code 0 "$sub --help"
    expect_out "Usage:" "$sub --help"
done
for sub in backfill scan status balances grants; do
    run "$sub" --help
    expect_out "Example" "$sub --help shows an example"
done

run frobnicate
expect_code 2 "unknown subcommand"

run backfill --chain ethereum --from 5
expect_code 2 "backfill without --to"
expect_err "--to" "backfill without --to names the flag"

run backfill --chain ethereum --from x --to 5
expect_code 2 "backfill --from x"
expect_err "--from" "backfill --from x names the flag"

run backfill --chain ethereum --from 10 --to 5 --db postgres://nobody@127.0.0.1:1/x
expect_code 2 "backfill --from above --to"
expect_err "--from 10 is above --to 5" "backfill --from above --to"

run scan --chain ethereum
expect_code 2 "scan without --once/--follow"
expect_err "--once or --follow" "scan without --once/--follow"

run scan --chain ethereum --once --follow
expect_code 2 "scan --once --follow"

run balances --chain ethereum --account 0x1234 --db postgres://nobody@127.0.0.1:1/x
expect_code 2 "balances with a short address"
expect_err "--account" "balances with a short address names the flag"

run balances --chain ethereum --at later
expect_code 2 "balances --at later"

run status --chain ethereum --output yaml
expect_code 2 "status --output yaml"

run migrate sideways
expect_code 2 "migrate sideways"

run grants --reader 'r;x' --db postgres://nobody@127.0.0.1:1/x
expect_code 2 "grants --reader with a ';'"
expect_err "--reader must be letters, digits" "grants names the flag before connecting"

run grants --writer same --reader same --owner o --schema s
expect_code 2 "grants with one role as writer and reader"

finish
