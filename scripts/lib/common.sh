# shellcheck shell=bash
# Helpers shared by scripts/test, scripts/bench, scripts/demo and tests/evm/run-e2e.sh.
# Source it from bash; it finds the repository root from its own location.
#
#   ensure_packages          install the Debian packages the build and tests need (only if missing)
#   ensure_node_modules      npm ci in tests/evm when node_modules is missing or stale
#   build_chainidx [DIR]     configure + build (Release, -Werror) into DIR (default
#                            $CHAINIDX_BUILD_DIR, else build);
#                            exports CHAINIDX_BIN
#   build_sanitized [DIR]    configure + build with clang, ASan+UBSan and the libFuzzer targets
#                            (CHAINIDX_SANITIZE, CHAINIDX_FUZZ) into DIR (default build-sanitize)
#   sanitizer_env            ASAN/UBSAN/LSAN_OPTIONS for running what build_sanitized made:
#                            every report is fatal, leaks too (tests/sanitize/lsan.supp)
#   pg_start [DIR]           a throwaway PostgreSQL cluster on 127.0.0.1 in DIR (default: a new temp
#                            dir); exports CHAINIDX_DATABASE_URL, PG_PORT, PG_DIR, PGHOST, PGPORT, …
#   pg_createdb NAME         another database owned by the chainidx role; prints its URL
#   pg_stop [DIR]            stops that cluster and deletes DIR; idempotent
#   pg_restart [DIR]         restarts that cluster (fast shutdown: sessions are cut), same port
#   anvil_bin                path of the anvil binary installed by tests/evm's npm packages
#   anvil_start [T0]         anvil on a free 127.0.0.1 port (--no-mining --order fees, chain id
#                            31337, genesis timestamp T0); exports ANVIL_URL, ANVIL_PID
#   proxy_start UPSTREAM [FLAG…]  tests/provider-proxy/proxy.js (a simulated remote provider:
#                            --latency-ms, --mb-per-s, --max-rps) on a free 127.0.0.1 port in front of
#                            UPSTREAM; exports PROXY_URL, PROXY_PID, PROXY_STATS_FILE
#   proxy_stop [PID]         stops it (SIGTERM: it writes PROXY_STATS_FILE, then exits); idempotent
#   fakechain_start FAMILY [FLAG…]  tests/fakechain/server.js (a fake bitcoin|solana node serving real
#                            blocks) on a free 127.0.0.1 port; exports FAKECHAIN_URL, FAKECHAIN_PID
#   fakechain_stop [PID]     stops it; idempotent
#   bench_node_start FAMILY [FLAG…]  tests/bench's fast node of FAMILY over a generated chain (e.g.
#                            bitcoin: btc-node.js --dir DIR); exports BENCH_NODE_URL, BENCH_NODE_PID
#   cleanup_all              stops every cluster and process started through these helpers
#   install_cleanup_trap     runs cleanup_all on EXIT, and exits on INT/TERM

CHAINIDX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CHAINIDX_ROOT

# Pids of processes (anvil, chainidx) started by node helpers; cleanup_all ends the ones still alive.
: "${CHAINIDX_PIDS_FILE:=}"
_CHAINIDX_PG_DIRS=()
_CHAINIDX_ANVIL_PIDS=()
_CHAINIDX_SERVER_PIDS=()
_CHAINIDX_SERVER_DIRS=()
_CHAINIDX_OWN_PIDS_FILE=""

log() { echo "[$(basename "$0")] $*" >&2; }
die() { log "error: $*"; exit 1; }

_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# Runs a PostgreSQL server binary as the postgres user when we are root (initdb/pg_ctl refuse root).
_as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# --------------------------------------------------------------------------------------------
ensure_packages() {
    local need=(build-essential cmake pkg-config libcli11-dev libpqxx-dev libpq-dev
        nlohmann-json3-dev libspdlog-dev libtomlplusplus-dev doctest-dev libsimdjson-dev
        libcurl4-openssl-dev libssl-dev openssl libboost-dev postgresql time curl
        clang libclang-rt-14-dev llvm   # the sanitizer build: clang, libFuzzer, llvm-symbolizer
        systemd man-db                  # tests/ops: systemd-analyze verify/security, man -w
        dpkg-dev fakeroot file lintian) # tests/ops: cpack -G DEB (dpkg-shlibdeps), lintian
    # tests/ops/test_monitoring.sh runs these itself on free loopback ports: installed without
    # their recommends and without starting their system services.
    local services=(prometheus prometheus-node-exporter)
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        need+=(nodejs npm)
    fi
    local missing=()
    mapfile -t missing < <(_missing_packages "${need[@]}")
    [ ${#missing[@]} -eq 0 ] || _apt_install "${missing[@]}"
    mapfile -t missing < <(_missing_packages "${services[@]}")
    [ ${#missing[@]} -eq 0 ] || _apt_install_no_services "${missing[@]}"
}

# The packages of "$@" that are not installed, one per line.
_missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

_apt_install() {
    log "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    if ! _as_root apt-get install -y -q "$@"; then
        log "apt-get install failed; running apt-get update and retrying"
        _as_root apt-get update -q
        _as_root apt-get install -y -q "$@"
    fi
}

# Like _apt_install, with a policy-rc.d that forbids starting services (unless the machine has
# one already, as Docker images do): a test machine gets no prometheus on :9090.
_apt_install_no_services() {
    local policy=/usr/sbin/policy-rc.d ours=false rc=0
    if [ ! -e "$policy" ]; then
        _as_root sh -c "printf '#!/bin/sh\\nexit 101\\n' >$policy && chmod 755 $policy"
        ours=true
    fi
    _apt_install --no-install-recommends "$@" || rc=$?
    if $ours; then _as_root rm -f "$policy"; fi
    return $rc
}

# --------------------------------------------------------------------------------------------
ensure_node_modules() {
    local dir="$CHAINIDX_ROOT/tests/evm"
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
        log "npm ci in tests/evm"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        touch "$dir/node_modules"
    fi
}

anvil_bin() {
    echo "$CHAINIDX_ROOT/tests/evm/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
}

# --------------------------------------------------------------------------------------------
build_chainidx() {
    local dir=${1:-${CHAINIDX_BUILD_DIR:-build}}
    case "$dir" in /*) ;; *) dir="$CHAINIDX_ROOT/$dir" ;; esac
    log "building chainidx in $(_rel "$dir")"
    (cd "$CHAINIDX_ROOT" &&
        cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCHAINIDX_WERROR=ON >/dev/null &&
        cmake --build "$dir" -j2)
    CHAINIDX_BIN="$dir/chainidx"
    [ -x "$CHAINIDX_BIN" ] || die "the build did not produce $CHAINIDX_BIN"
    export CHAINIDX_BIN
}

build_sanitized() {
    local dir=${1:-build-sanitize}
    case "$dir" in /*) ;; *) dir="$CHAINIDX_ROOT/$dir" ;; esac
    log "building chainidx with clang, ASan+UBSan and the fuzz targets in $(_rel "$dir")"
    # -O1: the usual trade-off for ASan (fast enough, quick to build, exact stack traces).
    (cd "$CHAINIDX_ROOT" &&
        CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DCHAINIDX_SANITIZE=ON -DCHAINIDX_FUZZ=ON \
            >/dev/null &&
        cmake --build "$dir" -j2)
}

sanitizer_env() {
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$CHAINIDX_ROOT/tests/sanitize/lsan.supp:print_suppressions=0}
    if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer >/dev/null 2>&1; then
        ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
        export ASAN_SYMBOLIZER_PATH
    fi
}

_rel() { local p=$1; echo "${p#"$CHAINIDX_ROOT"/}"; }

# --------------------------------------------------------------------------------------------
# PostgreSQL

_pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$d" ] && [ -x "$d/initdb" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
    echo "$d"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port on 127.0.0.1 that nothing listens on (tries random ones).
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! _port_busy "$p"; then
            echo "$p"
            return 0
        fi
    done
    die "no free TCP port found"
}

pg_start() {
    local dir=${1:-} bindir port attempt
    bindir=$(_pg_bindir)
    if [ -z "$dir" ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/chainidx-pg.XXXXXX")
    else
        mkdir -p "$dir"
    fi
    dir=$(cd "$dir" && pwd)
    chmod 755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        runuser -u postgres -- test -w "$dir" ||
            die "the postgres user cannot write $dir (is a parent directory unreadable? set TMPDIR)"
    fi
    _CHAINIDX_PG_DIRS+=("$dir")
    _as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    cat >>"$dir/data/postgresql.conf" <<EOF
# chainidx throwaway cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
shared_buffers = 128MB
max_wal_size = 2GB
EOF
    # local and 127.0.0.1 connections are trusted (initdb -A trust); the role still has a password.
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if _as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 60 -o "-p $port" start >/dev/null 2>&1; then
            break
        fi
        port=""
        log "PostgreSQL did not start (attempt $attempt); $(tail -3 "$dir/pg.log" 2>/dev/null | tr '\n' ' ')"
    done
    [ -n "$port" ] || die "could not start PostgreSQL; see $dir/pg.log"
    export PG_DIR=$dir PG_PORT=$port PG_BINDIR=$bindir
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    export PG_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
    psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE chainidx LOGIN CREATEDB PASSWORD 's3cret-pw'" \
        -c "CREATE DATABASE chainidx OWNER chainidx" >/dev/null
    export CHAINIDX_DATABASE_URL="postgres://chainidx:s3cret-pw@127.0.0.1:$port/chainidx"
    log "PostgreSQL $(basename "$(dirname "$bindir")") on 127.0.0.1:$port (data in $dir)"
}

# True when the cluster of this shell (or of the parent that exported PG_DIR/PG_PORT) answers.
pg_running() {
    [ -n "${PG_PORT:-}" ] && [ -n "${PG_DIR:-}" ] &&
        psql -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1
}

pg_createdb() {
    local name=$1
    [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "pg_createdb: bad database name '$name'"
    [ -n "${PG_PORT:-}" ] || die "pg_createdb: no cluster (pg_start first)"
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE DATABASE $name OWNER chainidx" >/dev/null
    echo "postgres://chainidx:s3cret-pw@127.0.0.1:$PG_PORT/$name"
}

pg_stop() {
    local dir=${1:-${PG_DIR:-}} bindir
    [ -n "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        bindir=$(_pg_bindir)
        _as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            _as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$dir" in
        */chainidx-pg.*) rm -rf "$dir" ;;
        *) rm -rf "$dir/data" "$dir/pg.log" "$dir/initdb.log" ;;
    esac
    if [ "${PG_DIR:-}" = "$dir" ]; then
        unset PG_DIR PG_PORT PGHOST PGPORT PGUSER PGDATABASE PG_ADMIN_URL
    fi
}

# Restarts the cluster of pg_start (same data dir, port and log) with a fast shutdown, which cuts
# every session: PostgreSQL restarting under a running chainidx (tests/evm/fault-e2e.js).
pg_restart() {
    local dir=${1:-${PG_DIR:-}}
    [ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ] || die "pg_restart: no running cluster in '$dir' (pg_start first)"
    _as_pg "$(_pg_bindir)/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -m fast -w -t 60 restart >/dev/null
}

# --------------------------------------------------------------------------------------------
# anvil

anvil_start() {
    local t0=${1:-1700000000} bin port pid
    bin=$(anvil_bin)
    [ -x "$bin" ] || die "anvil not installed at $(_rel "$bin") (ensure_node_modules)"
    for _attempt in 1 2 3; do
        port=$(free_port)
        "$bin" --host 127.0.0.1 --port "$port" --no-mining --order fees --chain-id 31337 \
            --timestamp "$t0" --silent </dev/null >/dev/null 2>&1 &
        pid=$!
        _CHAINIDX_ANVIL_PIDS+=("$pid")
        for _ in $(seq 1 200); do
            if curl -s -m 2 -H 'content-type: application/json' \
                -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
                "http://127.0.0.1:$port" 2>/dev/null | grep -q '"0x7a69"'; then
                export ANVIL_URL="http://127.0.0.1:$port" ANVIL_PID=$pid
                log "anvil on $ANVIL_URL (pid $pid)"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
    done
    die "anvil did not start"
}

anvil_stop() {
    local pid=${1:-${ANVIL_PID:-}}
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

# --------------------------------------------------------------------------------------------
# Node.js servers of tests/: the provider-simulation proxy (tests/provider-proxy) and the fake
# Bitcoin/Solana nodes (tests/fakechain, tests/bench). All write their port to --port-file once
# listening.

# _node_server_dir: a new directory for a server's files (removed by cleanup_all), in _SERVER_DIR.
_node_server_dir() {
    _SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/chainidx-server.XXXXXX")
    _CHAINIDX_SERVER_DIRS+=("$_SERVER_DIR")
}

# _node_server_start WHAT DIR SCRIPT [ARG…]: node SCRIPT ARG… --port-file DIR/port (stderr in
# DIR/server.log), waits until it listens; sets _SERVER_URL, _SERVER_PID.
_node_server_start() {
    local what=$1 dir=$2 script=$3 pid
    shift 3
    node "$CHAINIDX_ROOT/$script" "$@" --port-file "$dir/port" </dev/null >/dev/null 2>"$dir/server.log" &
    pid=$!
    _CHAINIDX_SERVER_PIDS+=("$pid")
    for _ in $(seq 1 400); do
        if [ -s "$dir/port" ]; then
            _SERVER_URL="http://127.0.0.1:$(cat "$dir/port")" _SERVER_PID=$pid
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    cat "$dir/server.log" >&2
    kill "$pid" 2>/dev/null || true
    die "the $what did not start"
}

# _node_server_stop PID: SIGTERM (then SIGKILL after 5 s) if PID is still one of these servers.
_node_server_stop() {
    local pid=$1
    [ -n "$pid" ] || return 0
    # Only our server (the pid may have been reused since it exited).
    tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -Eq 'tests/(provider-proxy|fakechain|bench)/' || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

proxy_start() {
    local upstream=${1:?proxy_start needs an upstream URL}
    shift
    _node_server_dir
    _node_server_start "provider proxy" "$_SERVER_DIR" tests/provider-proxy/proxy.js \
        --upstream "$upstream" --stats-file "$_SERVER_DIR/stats.json" "$@"
    export PROXY_URL=$_SERVER_URL PROXY_PID=$_SERVER_PID PROXY_STATS_FILE=$_SERVER_DIR/stats.json
    log "provider proxy on $PROXY_URL (pid $PROXY_PID) in front of $upstream: $*"
}

proxy_stop() { _node_server_stop "${1:-${PROXY_PID:-}}"; }

fakechain_start() {
    local family=${1:?fakechain_start needs a family (bitcoin|solana)}
    shift
    _node_server_dir
    _node_server_start "fake $family node" "$_SERVER_DIR" tests/fakechain/server.js --family "$family" "$@"
    export FAKECHAIN_URL=$_SERVER_URL FAKECHAIN_PID=$_SERVER_PID
    log "fake $family node (tests/fakechain) on $FAKECHAIN_URL (pid $FAKECHAIN_PID)"
}

fakechain_stop() { _node_server_stop "${1:-${FAKECHAIN_PID:-}}"; }

# bench_node_start FAMILY ARG…: tests/bench's fast node of FAMILY (btc-node.js for bitcoin,
# sol-node.js for solana) over a chain its generator wrote; sets BENCH_NODE_URL, BENCH_NODE_PID.
bench_node_start() {
    local family=${1:?bench_node_start needs a family} script
    shift
    case "$family" in
        bitcoin) script=btc-node.js ;;
        solana) script=sol-node.js ;;
        *) die "bench_node_start: no bench node for family '$family' (bitcoin, solana)" ;;
    esac
    _node_server_dir
    _node_server_start "bench $family node" "$_SERVER_DIR" "tests/bench/$script" "$@"
    export BENCH_NODE_URL=$_SERVER_URL BENCH_NODE_PID=$_SERVER_PID
    log "bench $family node (tests/bench) on $BENCH_NODE_URL (pid $BENCH_NODE_PID)"
}

# A file where node helpers record the pids of what they start (see tests/evm/lib/anvil.js).
pids_file() {
    if [ -z "$CHAINIDX_PIDS_FILE" ]; then
        CHAINIDX_PIDS_FILE=$(mktemp "${TMPDIR:-/tmp}/chainidx-pids.XXXXXX")
        _CHAINIDX_OWN_PIDS_FILE=$CHAINIDX_PIDS_FILE
        export CHAINIDX_PIDS_FILE
    fi
}

# --------------------------------------------------------------------------------------------
cleanup_all() {
    local pid d cmd
    for pid in "${_CHAINIDX_ANVIL_PIDS[@]}"; do anvil_stop "$pid"; done
    _CHAINIDX_ANVIL_PIDS=()
    for pid in "${_CHAINIDX_SERVER_PIDS[@]}"; do _node_server_stop "$pid"; done
    _CHAINIDX_SERVER_PIDS=()
    for d in "${_CHAINIDX_SERVER_DIRS[@]}"; do rm -rf "$d"; done
    _CHAINIDX_SERVER_DIRS=()
    if [ -n "$_CHAINIDX_OWN_PIDS_FILE" ] && [ -f "$_CHAINIDX_OWN_PIDS_FILE" ]; then
        while read -r pid; do
            [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || continue
            cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
            case "$cmd" in *anvil*|*chainidx*) kill -9 "$pid" 2>/dev/null || true ;; esac
        done <"$_CHAINIDX_OWN_PIDS_FILE"
        rm -f "$_CHAINIDX_OWN_PIDS_FILE"
        _CHAINIDX_OWN_PIDS_FILE=""
    fi
    for d in "${_CHAINIDX_PG_DIRS[@]}"; do pg_stop "$d"; done
    _CHAINIDX_PG_DIRS=()
}

install_cleanup_trap() {
    trap cleanup_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
