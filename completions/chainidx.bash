# bash completion for chainidx
_chainidx() {
    local cur prev words cword
    _init_completion || return
    local global="--config --db --log-level --help --version"
    local cmds="migrate backfill scan status balances config"
    local sub="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            migrate|backfill|scan|status|balances|config) sub=${words[i]}; break ;;
        esac
    done
    case "$prev" in
        --config) _filedir toml; return ;;
        --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
        --output|-o) COMPREPLY=($(compgen -W "table json ndjson" -- "$cur")); return ;;
        --at) COMPREPLY=($(compgen -W "pending safe finalized" -- "$cur")); return ;;
        --chain) COMPREPLY=($(compgen -W "ethereum base polygon arbitrum bsc" -- "$cur")); return ;;
    esac
    local opts
    case "$sub" in
        "") opts="$cmds $global" ;;
        migrate) opts="up down status --output" ;;
        backfill) opts="--chain --rpc --from --to --batch-blocks" ;;
        scan) opts="--chain --rpc --once --follow" ;;
        status) opts="--chain --rpc --output --verify" ;;
        balances) opts="--chain --account --token --at --all --output" ;;
        config) opts="show" ;;
    esac
    COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
}
complete -F _chainidx chainidx
