# fish completion for chainidx. Installed as share/fish/vendor_completions.d/chainidx.fish.

set -l __chainidx_cmds migrate backfill scan status balances normalize ingest reconcile replay rollback dlq config grants

# Chain names: the built-in ones plus every [chains.NAME] table of the config file in effect
# (--config on the command line, else $CHAINIDX_CONFIG, else ./chainidx.toml, else
# $XDG_CONFIG_HOME/chainidx/config.toml).
function __chainidx_chains
    printf '%s\n' ethereum base polygon arbitrum bsc
    set -l tokens (commandline -opc)
    set -l file
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --config
                set -l next (math $i + 1)
                if test $next -le (count $tokens)
                    set file $tokens[$next]
                end
            case '--config=*'
                set file (string replace -- --config= '' $tokens[$i])
        end
    end
    if test -z "$file"; and set -q CHAINIDX_CONFIG
        set file $CHAINIDX_CONFIG
    end
    if test -z "$file"; and test -f chainidx.toml
        set file chainidx.toml
    end
    if test -z "$file"
        set -l xdg $HOME/.config
        set -q XDG_CONFIG_HOME; and set xdg $XDG_CONFIG_HOME
        set file $xdg/chainidx/config.toml
    end
    if test -r "$file"
        string replace -rf '^\s*\[chains\.([A-Za-z0-9_-]+)\]\s*(#.*)?$' '$1' <$file
    end
end

# True when the first subcommand on the line is $argv[1] (and, with a second argument, the
# nested subcommand is $argv[2]); "none" matches a line with no subcommand yet.
function __chainidx_using
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l words
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case --config --db --log-level --log-format --metrics-file --ca-file --quarantine-token --status --alert-webhook --alert-cooldown --alert-reorg-depth --metrics-addr --chain --rpc --from --to --batch-blocks --max-lag --emit --output -o --account --token --at --block --sample --to-block --reason --input -i --writer --reader --schema --owner
                set skip 1
            case '-*'
            case '*'
                set -a words $t
        end
    end
    if test "$argv[1]" = none
        test (count $words) -eq 0
        return
    end
    test (count $words) -ge 1; and test "$words[1]" = "$argv[1]"; or return 1
    if set -q argv[2]
        if test "$argv[2]" = none
            test (count $words) -eq 1
        else
            test (count $words) -ge 2; and test "$words[2]" = "$argv[2]"
        end
    end
end

complete -c chainidx -f

# Global options (they also work after the subcommand).
complete -c chainidx -l config -r -F -d 'Config file (default: ./chainidx.toml, then $XDG_CONFIG_HOME/chainidx/config.toml)'
complete -c chainidx -l db -x -d 'PostgreSQL URL (default: $CHAINIDX_DATABASE_URL)'
complete -c chainidx -l log-level -x -a 'debug info warn error' -d 'Log level'
complete -c chainidx -l metrics-file -r -F -d 'Write Prometheus metrics here at the end of the run'
complete -c chainidx -l ca-file -r -F -d 'Verify RPC endpoints against the CAs in this PEM file'
complete -c chainidx -l alert-webhook -r -d 'POST JSON alerts (deep reorgs, drift, failed runs) to this URL'
complete -c chainidx -l alert-cooldown -r -d 'Send the same alert at most once per SECONDS'
complete -c chainidx -l alert-reorg-depth -r -d 'Alert on reorgs at least N blocks deep'
complete -c chainidx -l log-format -x -a 'text json' -d 'Log format: text, or JSON lines with run id and chain'
complete -c chainidx -s h -l help -d 'Print help and exit'
complete -c chainidx -n '__chainidx_using none' -l version -d 'Print the version and exit'

# Subcommands.
complete -c chainidx -n '__chainidx_using none' -a migrate -d 'Apply, revert or list the database migrations'
complete -c chainidx -n '__chainidx_using none' -a backfill -d 'Index a historic block range'
complete -c chainidx -n '__chainidx_using none' -a scan -d 'Follow a chain to its head, unwinding reorgs'
complete -c chainidx -n '__chainidx_using none' -a status -d 'Watermark, head, lag, finality heights, reorgs'
complete -c chainidx -n '__chainidx_using none' -a balances -d 'Indexed balances'
complete -c chainidx -n '__chainidx_using none' -a normalize -d 'Raw blocks NDJSON to events NDJSON'
complete -c chainidx -n '__chainidx_using none' -a ingest -d 'Events NDJSON into PostgreSQL'
complete -c chainidx -n '__chainidx_using none' -a reconcile -d 'Compare indexed balances with balanceOf'
complete -c chainidx -n '__chainidx_using none' -a replay -d 'Re-derive an indexed range and apply the differences'
complete -c chainidx -n '__chainidx_using none' -a rollback -d 'Undo everything indexed above a block'
complete -c chainidx -n '__chainidx_using none' -a dlq -d 'Dead letters: items that could not be normalized'
complete -c chainidx -n '__chainidx_using none' -a config -d 'Inspect the merged configuration'
complete -c chainidx -n '__chainidx_using none' -a grants -d 'Print the SQL for least-privilege writer and reader roles'

# migrate up | down [N] | status [--output]
complete -c chainidx -n '__chainidx_using migrate none' -a up -d 'Apply every pending migration'
complete -c chainidx -n '__chainidx_using migrate none' -a down -d 'Revert the last N applied migrations (default 1)'
complete -c chainidx -n '__chainidx_using migrate none' -a status -d 'List migrations: applied, pending or MODIFIED'
complete -c chainidx -n '__chainidx_using migrate status' -s o -l output -x -a 'table json ndjson' -d 'Output format'

# dlq list | show ID | retry ID | discard ID
complete -c chainidx -n '__chainidx_using dlq none' -a list -d 'List dead letters (default: the open ones)'
complete -c chainidx -n '__chainidx_using dlq none' -a show -d 'Show one dead letter with its raw payload'
complete -c chainidx -n '__chainidx_using dlq none' -a retry -d 'Fetch its block again; resolved if it normalizes now'
complete -c chainidx -n '__chainidx_using dlq none' -a discard -d 'Skip the item from now on'
complete -c chainidx -n '__chainidx_using dlq list' -l chain -x -a '(__chainidx_chains)' -d 'Only this chain'
complete -c chainidx -n '__chainidx_using dlq list' -l status -x -a 'open quarantined resolved discarded all' -d 'Which dead letters'
complete -c chainidx -n '__chainidx_using dlq list; or __chainidx_using dlq show' -s o -l output -x -a 'table json ndjson' -d 'Output format'
complete -c chainidx -n '__chainidx_using dlq discard' -l reason -x -d 'Why, for the log'

# config show
complete -c chainidx -n '__chainidx_using config none' -a show -d 'Print the merged config, secrets masked'

# grants [--writer ROLE] [--reader ROLE] [--schema S] [--owner ROLE]
complete -c chainidx -n '__chainidx_using grants' -l writer -x -d 'Group role of the indexing commands'
complete -c chainidx -n '__chainidx_using grants' -l reader -x -d 'Group role of the read-only commands'
complete -c chainidx -n '__chainidx_using grants' -l schema -x -d 'Schema of the chainidx tables'
complete -c chainidx -n '__chainidx_using grants' -l owner -x -d 'Role that owns the tables and runs migrate up'

# --chain (every chain command) and --rpc (commands that talk to the node)
complete -c chainidx -n '__chainidx_using backfill; or __chainidx_using scan; or __chainidx_using status; or __chainidx_using balances; or __chainidx_using normalize; or __chainidx_using ingest; or __chainidx_using reconcile; or __chainidx_using replay; or __chainidx_using rollback' -l chain -x -a '(__chainidx_chains)' -d 'Chain name'
complete -c chainidx -n '__chainidx_using backfill; or __chainidx_using scan; or __chainidx_using status; or __chainidx_using reconcile; or __chainidx_using replay' -l rpc -x -d 'RPC endpoint(s), overriding the config and CHAINIDX_<CHAIN>_RPC'
# --output (data commands)
complete -c chainidx -n '__chainidx_using status; or __chainidx_using balances; or __chainidx_using reconcile; or __chainidx_using replay; or __chainidx_using rollback' -s o -l output -x -a 'table json ndjson' -d 'Output format'

# backfill
complete -c chainidx -n '__chainidx_using backfill' -l from -x -d 'First block'
complete -c chainidx -n '__chainidx_using backfill' -l to -x -d 'Last block (inclusive)'
complete -c chainidx -n '__chainidx_using backfill' -l batch-blocks -x -d 'Largest block range per transaction'
complete -c chainidx -n '__chainidx_using backfill; or __chainidx_using scan' -l quarantine-token -x -d 'Go on past unreadable items of this token, marking it untrusted'
complete -c chainidx -n '__chainidx_using backfill' -l emit -x -a 'raw\t"blocks and logs, for normalize" events\t"balance events, for ingest"' -d 'Write NDJSON to stdout instead of the database'

# scan
complete -c chainidx -n '__chainidx_using scan; and not __fish_seen_argument -l follow' -l once -d 'Catch up to the head, then exit'
complete -c chainidx -n '__chainidx_using scan; and not __fish_seen_argument -l once' -l follow -d 'Keep following the head until stopped'
complete -c chainidx -n '__chainidx_using scan' -l wait -d 'Wait for another scan of the chain to end instead of exiting'
complete -c chainidx -n '__chainidx_using scan' -l from-head -d 'On an empty chain without start_block, start at the head'
complete -c chainidx -n '__chainidx_using scan' -l metrics-addr -r -d 'Serve Prometheus metrics at HOST:PORT while the scan runs'

# status
complete -c chainidx -n '__chainidx_using status' -l verify -d 'Also check that every balance equals the sum of its events'
complete -c chainidx -n '__chainidx_using status' -l check -d 'For monitoring: exit 5 when lagging, head unknown, nothing indexed or a dead letter open'
complete -c chainidx -n '__chainidx_using status' -l max-lag -x -d 'Blocks of lag --check allows (default 64)'

# balances
complete -c chainidx -n '__chainidx_using balances' -l account -x -d 'Only this account'
complete -c chainidx -n '__chainidx_using balances' -l token -x -d 'Only this token contract'
complete -c chainidx -n '__chainidx_using balances' -l at -x -a 'pending safe finalized' -d 'Finality stage'
complete -c chainidx -n '__chainidx_using balances' -l all -d 'Include zero balances'

# normalize, ingest
complete -c chainidx -n '__chainidx_using normalize; or __chainidx_using ingest' -s i -l input -r -F -d 'Read this file instead of stdin'
complete -c chainidx -n '__chainidx_using ingest' -l batch-blocks -x -d 'Most blocks committed in one transaction'

# reconcile
complete -c chainidx -n '__chainidx_using reconcile; and not __fish_seen_argument -l at' -l block -x -d 'Block to compare at (default: watermark)'
complete -c chainidx -n '__chainidx_using reconcile; and not __fish_seen_argument -l block' -l at -x -a 'pending safe finalized' -d 'Compare at this finality stage'
complete -c chainidx -n '__chainidx_using reconcile' -l token -x -d 'Only this token (repeatable)'
complete -c chainidx -n '__chainidx_using reconcile' -l account -x -d 'Only this account (repeatable)'
complete -c chainidx -n '__chainidx_using reconcile' -l sample -x -d 'Check N pairs picked by hash'

# replay
complete -c chainidx -n '__chainidx_using replay' -l from -x -d 'First block'
complete -c chainidx -n '__chainidx_using replay' -l to -x -d 'Last block (inclusive, at most the watermark)'
complete -c chainidx -n '__chainidx_using replay' -l dry-run -d 'Only show what would change'

# rollback
complete -c chainidx -n '__chainidx_using rollback' -l to-block -x -d 'Keep blocks up to and including this one'
complete -c chainidx -n '__chainidx_using rollback' -l dry-run -d 'Only print what would be undone'
complete -c chainidx -n '__chainidx_using rollback' -s y -l yes -d 'Do not ask for confirmation'
complete -c chainidx -n '__chainidx_using rollback' -l force -d 'Allow rolling back below the finalized height'
complete -c chainidx -n '__chainidx_using rollback' -l reason -x -d 'Why, recorded with the rollback'
