#!/usr/bin/env bash
# The man pages and the bash, zsh and fish completions know every subcommand and flag of the
# binary. The list is taken from the binary's own --help (the Subcommands and Options sections
# of `chainidx --help`, of `chainidx SUB --help` and of nested `chainidx SUB NESTED --help`),
# so a flag added to src/cli/ without docs fails here, naming it. It checks binary -> docs
# only: a page or completion for a subcommand the binary does not have (yet) is not an error.
#
#   bash completion  run for real (as bash would call it, with and without the bash-completion
#                    package when it is installed): `chainidx <TAB>` offers every subcommand,
#                    `chainidx SUB [NESTED] --<TAB>` every flag of that subcommand
#   zsh completion   names every subcommand and flag
#   fish completion  names every subcommand; every flag on a `complete` line that names its
#                    subcommand; and, when fish is installed, offers them for real
#   man/chainidx.1   names every subcommand, refers to its page, names the global flags
#   man/chainidx-SUB.1  names every flag and nested subcommand of SUB (roff's \- read as -)
#
# Needs no database, no zsh and no fish.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
bash_comp=$root/completions/chainidx.bash
zsh_comp=$root/completions/_chainidx
fish_comp=$root/completions/chainidx.fish
man_dir=$root/man

missing() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# help_entries SECTION [SUB...]: the first column of each entry of one section ("Options" or
# "Subcommands") of `chainidx SUB... --help`, as CLI11 prints it ("  -o,--output FORMAT  text";
# newer CLI11 versions spell the headings in capitals).
help_entries() {
    local section=$1
    shift
    "$CHAINIDX_BIN" "$@" --help 2>/dev/null | awk -v want="$section:" '
        /^[^ ]/ { in_section = (tolower($0) == tolower(want)); next }
        in_section && /^  [^ ]/ { print $1 }'
}

# help_flags [SUB...]: the --long names of `chainidx SUB... --help`, without --help.
help_flags() {
    help_entries Options "$@" | tr ',' '\n' | grep -E '^--[A-Za-z0-9]' | grep -vx -- '--help'
}

# has_word FILE WORD: WORD occurs in FILE as a whole word (so --to does not match --to-block).
has_word() {
    grep -Eq -- "(^|[^A-Za-z0-9_-])$2(\$|[^A-Za-z0-9_-])" "$1"
}

# roff_text PAGE: the page with \- read as - and font escapes removed, in a temp file.
roff_text() {
    local f
    f=$(mktemp)
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' "$1" >"$f"
    echo "$f"
}

# bash_offers WORDS...: what the bash completion offers for that command line (the last word
# is the one being completed), one per line. $bash_completion_lib: the bash-completion
# package's main script to load first, or empty to run without it.
bash_offers() {
    bash --norc --noprofile -c '
        lib=$1 comp=$2
        shift 2
        if [ -n "$lib" ]; then . "$lib" || exit 1; fi
        . "$comp" || exit 1
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _chainidx
        printf "%s\n" "${COMPREPLY[@]}"' _ "${bash_completion_lib:-}" "$bash_comp" "$@" 2>/dev/null
}

fish_offers() {  # COMMAND LINE: what the fish completion offers for it, one per line
    # shellcheck disable=SC2016  # $argv is fish's, expanded by fish
    fish --no-config -c 'source $argv[1]; complete -C "$argv[2]"' "$fish_comp" "$*" 2>/dev/null |
        cut -f1
}

# --- What the binary has ---------------------------------------------------------------------
run --help
expect_code 0 "chainidx --help"
mapfile -t subs < <(help_entries Subcommands)
mapfile -t global_flags < <(help_flags)
[ "${#subs[@]}" -gt 0 ] || missing "found no subcommands in the Subcommands section of chainidx --help"
[ "${#global_flags[@]}" -gt 0 ] || missing "found no flags in the Options section of chainidx --help"

declare -A flags_of nested_of  # "SUB" or "SUB NESTED" -> space-separated names
for sub in "${subs[@]}"; do
    "$CHAINIDX_BIN" "$sub" --help >/dev/null 2>&1 || missing "chainidx $sub --help exits non-zero"
    flags_of[$sub]=$(help_flags "$sub" | tr '\n' ' ')
    nested_of[$sub]=$(help_entries Subcommands "$sub" | tr '\n' ' ')
    for nested in ${nested_of[$sub]}; do
        "$CHAINIDX_BIN" "$sub" "$nested" --help >/dev/null 2>&1 ||
            missing "chainidx $sub $nested --help exits non-zero"
        flags_of[$sub $nested]=$(help_flags "$sub" "$nested" | tr '\n' ' ')
    done
done

for f in "$bash_comp" "$zsh_comp" "$fish_comp" "$man_dir/chainidx.1"; do
    [ -f "$f" ] || missing "${f#"$root"/} does not exist"
done

# --- bash: run the completion ----------------------------------------------------------------
if [ -f "$bash_comp" ]; then
    bash -n "$bash_comp" || missing "completions/chainidx.bash is not valid bash"
    modes=("")
    for lib in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
        if [ -f "$lib" ]; then
            modes+=("$lib")
            break
        fi
    done
    for bash_completion_lib in "${modes[@]}"; do
        how="bash completion (without the bash-completion package)"
        [ -z "$bash_completion_lib" ] || how="bash completion (with the bash-completion package)"
        offered=$(bash_offers chainidx "")
        for sub in "${subs[@]}"; do
            grep -qx -- "$sub" <<<"$offered" || missing "$how: 'chainidx <TAB>' does not offer subcommand $sub"
        done
        offered=$(bash_offers chainidx --)
        for flag in "${global_flags[@]}"; do
            grep -qx -- "$flag" <<<"$offered" || missing "$how: 'chainidx --<TAB>' does not offer global flag $flag"
        done
        for sub in "${subs[@]}"; do
            offered=$(bash_offers chainidx "$sub" --)
            for flag in ${flags_of[$sub]}; do
                grep -qx -- "$flag" <<<"$offered" || missing "$how: 'chainidx $sub --<TAB>' does not offer $flag"
            done
            offered=$(bash_offers chainidx "$sub" "")
            for nested in ${nested_of[$sub]}; do
                grep -qx -- "$nested" <<<"$offered" || missing "$how: 'chainidx $sub <TAB>' does not offer subcommand $sub $nested"
                offered_nested=$(bash_offers chainidx "$sub" "$nested" --)
                for flag in ${flags_of[$sub $nested]}; do
                    grep -qx -- "$flag" <<<"$offered_nested" || missing "$how: 'chainidx $sub $nested --<TAB>' does not offer $flag"
                done
            done
        done
    done
fi

# --- zsh: names every subcommand and flag ----------------------------------------------------
if [ -f "$zsh_comp" ]; then
    for flag in "${global_flags[@]}"; do
        has_word "$zsh_comp" "$flag" || missing "zsh completion (completions/_chainidx) lacks global flag $flag"
    done
    for sub in "${subs[@]}"; do
        has_word "$zsh_comp" "$sub" || missing "zsh completion (completions/_chainidx) lacks subcommand $sub"
        for flag in ${flags_of[$sub]}; do
            has_word "$zsh_comp" "$flag" || missing "zsh completion (completions/_chainidx) lacks $sub $flag"
        done
        for nested in ${nested_of[$sub]}; do
            has_word "$zsh_comp" "$nested" || missing "zsh completion (completions/_chainidx) lacks subcommand $sub $nested"
            for flag in ${flags_of[$sub $nested]}; do
                has_word "$zsh_comp" "$flag" || missing "zsh completion (completions/_chainidx) lacks $sub $nested $flag"
            done
        done
    done
fi

# --- fish: names them (a flag on a line that names its subcommand); offers them if fish is here
fish_has_flag() {  # FLAG [SUB]: a `complete` line with -l NAME (and the word SUB)
    local name=${1#--}
    grep -E -- "^[[:space:]]*complete .*(-l|--long-option)[[:space:]]+$name(\$|[^A-Za-z0-9_-])" "$fish_comp" |
        { if [ -n "${2:-}" ]; then grep -Eq -- "(^|[^A-Za-z0-9_-])$2(\$|[^A-Za-z0-9_-])"; else grep -q .; fi; }
}
if [ -f "$fish_comp" ]; then
    for flag in "${global_flags[@]}"; do
        fish_has_flag "$flag" || missing "fish completion (completions/chainidx.fish) lacks global flag $flag"
    done
    for sub in "${subs[@]}"; do
        has_word "$fish_comp" "$sub" || missing "fish completion (completions/chainidx.fish) lacks subcommand $sub"
        for flag in ${flags_of[$sub]}; do
            fish_has_flag "$flag" "$sub" || missing "fish completion (completions/chainidx.fish) lacks $sub $flag"
        done
        for nested in ${nested_of[$sub]}; do
            has_word "$fish_comp" "$nested" || missing "fish completion (completions/chainidx.fish) lacks subcommand $sub $nested"
            for flag in ${flags_of[$sub $nested]}; do
                fish_has_flag "$flag" "$sub" || missing "fish completion (completions/chainidx.fish) lacks $sub $nested $flag"
            done
        done
    done
    if command -v fish >/dev/null 2>&1; then
        offered=$(fish_offers "chainidx ")
        for sub in "${subs[@]}"; do
            grep -qx -- "$sub" <<<"$offered" || missing "fish completion: 'chainidx <TAB>' does not offer subcommand $sub"
        done
        for sub in "${subs[@]}"; do
            offered=$(fish_offers "chainidx $sub --")
            for flag in ${flags_of[$sub]}; do
                grep -qx -- "$flag" <<<"$offered" || missing "fish completion: 'chainidx $sub --<TAB>' does not offer $flag"
            done
            for nested in ${nested_of[$sub]}; do
                for flag in ${flags_of[$sub $nested]}; do
                    grep -qx -- "$flag" <<<"$(fish_offers "chainidx $sub $nested --")" ||
                        missing "fish completion: 'chainidx $sub $nested --<TAB>' does not offer $flag"
                done
            done
        done
    fi
fi

# --- man pages ---------------------------------------------------------------------------------
tmp_pages=()
trap 'rm -f "${tmp_pages[@]}"' EXIT
if [ -f "$man_dir/chainidx.1" ]; then
    main=$(roff_text "$man_dir/chainidx.1")
    tmp_pages+=("$main")
    for flag in "${global_flags[@]}"; do
        has_word "$main" "$flag" || missing "man/chainidx.1 lacks global flag $flag"
    done
    for sub in "${subs[@]}"; do
        has_word "$main" "$sub" || missing "man/chainidx.1 lacks subcommand $sub"
        has_word "$main" "chainidx-$sub" || missing "man/chainidx.1 does not refer to chainidx-$sub(1)"
    done
fi
for sub in "${subs[@]}"; do
    src=$man_dir/chainidx-$sub.1
    if [ ! -f "$src" ]; then
        missing "man/chainidx-$sub.1 does not exist (subcommand $sub)"
        continue
    fi
    page=$(roff_text "$src")
    tmp_pages+=("$page")
    grep -q '^\.TH ' "$src" || missing "man/chainidx-$sub.1 has no .TH line"
    for flag in ${flags_of[$sub]}; do
        has_word "$page" "$flag" || missing "man/chainidx-$sub.1 lacks $flag"
    done
    for nested in ${nested_of[$sub]}; do
        has_word "$page" "$nested" || missing "man/chainidx-$sub.1 lacks subcommand $sub $nested"
        for flag in ${flags_of[$sub $nested]}; do
            has_word "$page" "$flag" || missing "man/chainidx-$sub.1 lacks $sub $nested $flag"
        done
    done
done
# Every page renders without groff warnings (when groff is installed).
if command -v groff >/dev/null 2>&1; then
    for src in "$man_dir"/*.1; do
        [ -f "$src" ] || continue
        warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$src" 2>&1)
        [ -z "$warnings" ] || missing "man/$(basename "$src") renders with warnings: $warnings"
    done
fi

finish
