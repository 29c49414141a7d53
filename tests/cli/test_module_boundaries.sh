#!/usr/bin/env bash
# The module rules of the README's design section, checked on the sources: libpqxx only in the
# store, CLI11 only in src/cli, libcurl only in rpc, simdjson only in rpc and chain adapters, and
# no SQL or JSON-RPC method names in src/cli.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.." || exit 1

only_in() {  # only_in PATTERN ALLOWED_DIR WHAT
    local hits
    hits=$(grep -rlE "$1" src --include='*.cpp' --include='*.hpp' | grep -vE "^$2" || true)
    [ -z "$hits" ] || fail "$3 outside $2: $hits"
}
only_in '#include <pqxx/' 'src/core/store/' 'libpqxx'
only_in '#include <CLI/' 'src/cli/' 'CLI11'
only_in '#include <curl/' 'src/core/rpc/' 'libcurl'
only_in '#include <simdjson' 'src/core/(rpc|chain)/' 'simdjson'
only_in '#include <toml\+\+/' 'src/core/config/' 'toml++'
only_in '#include <boost/' 'src/core/model/' 'Boost'

sql=$(grep -rnE '"(SELECT|INSERT|UPDATE|DELETE) ' src/cli || true)
[ -z "$sql" ] || fail "SQL in src/cli: $sql"
rpc=$(grep -rnE '"eth_[a-zA-Z]+"' src/cli || true)
[ -z "$rpc" ] || fail "JSON-RPC calls in src/cli: $rpc"
core_to_cli=$(grep -rn '#include "cli/' src/core || true)
[ -z "$core_to_cli" ] || fail "src/core includes src/cli: $core_to_cli"
model_deps=$(grep -rn '#include "core/' src/core/model | grep -v '"core/model/' || true)
[ -z "$model_deps" ] || fail "model depends on other core modules: $model_deps"

metrics_deps=$(grep -rn '#include "core/' src/core/metrics | grep -v '"core/metrics/' || true)
[ -z "$metrics_deps" ] || fail "metrics depends on other core modules: $metrics_deps"

finish
