# bash completion for chainidx                                        -*- shell-script -*-
# Installed as share/bash-completion/completions/chainidx. Works with the bash-completion
# package (_init_completion, _filedir) and, more plainly, without it.
# shellcheck disable=SC2207  # COMPREPLY=($(compgen ...)) is the completion idiom

# Chain names: the built-in ones plus every [chains.NAME] table of the config file in effect
# (--config on the command line, else $CHAINIDX_CONFIG, else ./chainidx.toml, else
# $XDG_CONFIG_HOME/chainidx/config.toml).
_chainidx_chains() {
    local file="" i
    for ((i = 1; i < ${#words[@]} - 1; i++)); do
        case "${words[i]}" in
            --config) file=${words[i + 1]} ;;
            --config=*) file=${words[i]#--config=} ;;
        esac
    done
    [ -n "$file" ] || file=${CHAINIDX_CONFIG:-}
    [ -n "$file" ] || { [ -f chainidx.toml ] && file=chainidx.toml; }
    [ -n "$file" ] || file=${XDG_CONFIG_HOME:-$HOME/.config}/chainidx/config.toml
    file=${file/#\~/$HOME}
    local extra=""
    if [ -r "$file" ]; then
        extra=$(sed -n 's/^[[:space:]]*\[chains\.\([A-Za-z0-9_-]*\)\][[:space:]]*\(#.*\)\{0,1\}$/\1/p' \
            "$file" 2>/dev/null)
    fi
    echo "ethereum base polygon arbitrum bsc ${extra//$'\n'/ }"
}

_chainidx_files() {  # $1: an extension to prefer, or empty for any file
    if declare -F _filedir >/dev/null; then
        _filedir "$1"
    else
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_chainidx() {
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]:-}
        if [ "$cur" = "=" ]; then
            cur=""
        elif [ "$prev" = "=" ]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]:-}
        fi
    fi

    local global="--config --db --log-level --log-format --metrics-file --ca-file --alert-webhook --alert-cooldown --alert-reorg-depth --help -h"
    local cmds="migrate backfill scan status balances normalize ingest reconcile replay rollback dlq config grants"
    # Options that take a value: the word after them is never a subcommand.
    local takes_value="--metrics-file|--ca-file|--quarantine-token|--status|--alert-webhook|--alert-cooldown|--alert-reorg-depth|--metrics-addr|--max-lag|--config|--db|--log-level|--log-format|--chain|--rpc|--from|--to|--batch-blocks|--emit|--output|-o|--account|--token|--at|--block|--sample|--to-block|--reason|--input|-i|--writer|--reader|--schema|--owner"

    # Find the subcommand (and, for migrate, dlq and config, the nested one).
    local sub="" nested="" i w
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ "$w" == @($takes_value) ]]; then
            ((i++))
            continue
        fi
        [[ "$w" == -* ]] && continue
        if [ -z "$sub" ]; then
            case "$w" in
                migrate|backfill|scan|status|balances|normalize|ingest|reconcile|replay|rollback|dlq|config|grants) sub=$w ;;
            esac
        elif [ -z "$nested" ]; then
            case "$sub:$w" in
                migrate:up|migrate:down|migrate:status|config:show|dlq:list|dlq:show|dlq:retry|dlq:discard) nested=$w ;;
            esac
        fi
    done

    # Values of options.
    case "$prev" in
        --config) _chainidx_files toml; return ;;
        --input|-i) _chainidx_files ''; return ;;
        --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
        --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
        --metrics-file|--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --status) COMPREPLY=($(compgen -W "open quarantined resolved discarded all" -- "$cur")); return ;;
        --output|-o)
            if [ "$sub" = migrate ]; then
                COMPREPLY=($(compgen -W "table json ndjson" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "table json ndjson" -- "$cur"))
            fi
            return ;;
        --at) COMPREPLY=($(compgen -W "pending safe finalized" -- "$cur")); return ;;
        --emit) COMPREPLY=($(compgen -W "raw events" -- "$cur")); return ;;
        --chain) COMPREPLY=($(compgen -W "$(_chainidx_chains)" -- "$cur")); return ;;
        --db|--rpc|--from|--to|--batch-blocks|--account|--token|--block|--sample|--to-block|--reason|--quarantine-token|--writer|--reader|--schema|--owner)
            COMPREPLY=(); return ;;  # free-form values
    esac
    $split && return

    local opts=""
    case "$sub" in
        "") opts="$cmds --version" ;;
        migrate)
            case "$nested" in
                "") opts="up down status" ;;
                up|down) opts="" ;;
                status) opts="--output -o" ;;
            esac ;;
        backfill) opts="--chain --rpc --from --to --batch-blocks --emit --quarantine-token" ;;
        scan) opts="--chain --rpc --once --follow --wait --from-head --metrics-addr --quarantine-token" ;;
        status) opts="--chain --rpc --output -o --verify --check --max-lag" ;;
        balances) opts="--chain --account --token --at --all --output -o" ;;
        normalize) opts="--chain --input -i" ;;
        ingest) opts="--chain --input -i --batch-blocks" ;;
        reconcile) opts="--chain --rpc --block --at --token --account --sample --output -o" ;;
        replay) opts="--chain --rpc --from --to --dry-run --output -o" ;;
        rollback) opts="--chain --to-block --dry-run --yes -y --force --reason --output -o" ;;
        dlq)
            case "$nested" in
                "") opts="list show retry discard" ;;
                list) opts="--chain --status --output -o" ;;
                show) opts="--output -o" ;;
                retry) opts="" ;;
                discard) opts="--reason" ;;
            esac ;;
        config) [ -z "$nested" ] && opts="show" ;;
        grants) opts="--writer --reader --schema --owner" ;;
    esac
    # Subcommand names first; options only once a dash is typed.
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
    else
        local names="" o
        for o in $opts; do [[ "$o" == -* ]] || names+=" $o"; done
        COMPREPLY=($(compgen -W "${names:-$opts $global}" -- "$cur"))
    fi
}
complete -F _chainidx chainidx
