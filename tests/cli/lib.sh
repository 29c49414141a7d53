# Helpers for the CLI tests: run the real binary, assert exit codes and output.
# Needs CHAINIDX_BIN; tests that touch storage need CHAINIDX_DATABASE_URL (a fresh database).
set -u
: "${CHAINIDX_BIN:?CHAINIDX_BIN must point at the chainidx binary}"
failures=0
out=""
err=""
code=0

# run ARGS... : runs chainidx, keeps stdout/stderr/exit code in $out/$err/$code
run() {
    local o e
    o=$(mktemp) e=$(mktemp)
    "$CHAINIDX_BIN" "$@" >"$o" 2>"$e"
    code=$?
    out=$(cat "$o") err=$(cat "$e")
    rm -f "$o" "$e"
}

fail() {
    echo "FAIL: $*" >&2
    echo "  stdout: ${out:0:500}" >&2
    echo "  stderr: ${err:0:500}" >&2
    failures=$((failures + 1))
}

expect_code() { [ "$code" -eq "$1" ] || fail "$2: exit $code, expected $1"; }
expect_err() { grep -qF -- "$1" <<<"$err" || fail "$2: stderr lacks '$1'"; }
expect_out() { grep -qF -- "$1" <<<"$out" || fail "$2: stdout lacks '$1'"; }

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$(basename "$0"): $failures failure(s)" >&2
        exit 1
    fi
    echo "$(basename "$0"): ok"
}
