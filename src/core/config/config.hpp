#pragma once
// Config: a TOML file + CHAINIDX_* environment variables + flags, later ones winning, merged into
// one validated Config. Every value remembers where it came from, for `chainidx config show` and
// for error messages that name the file and line.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/chain/family.hpp"
#include "core/model/hex.hpp"

namespace chainidx::config {

template <class T>
struct Setting {
    T value{};
    std::string origin = "default";  // "default", "file PATH:LINE", "env NAME", "flag --x"
};

struct ChainConfig {
    std::string name;
    Setting<chain::Family> family;                 // its row in chain/families.cpp
    Setting<uint64_t> chain_id;                    // evm: checked against eth_chainId; else 0
    Setting<std::vector<std::string>> rpc;         // endpoints, first one used, others for failover
    Setting<std::string> finality;                 // "tags" (node's safe/finalized) or "depth"
    Setting<uint64_t> finality_depth;              // blocks behind head counted final with "depth"
    Setting<uint64_t> confirmations;               // blocks behind head that scan stops at
    Setting<std::vector<Address>> tokens;          // empty: every ERC-20
    Setting<std::optional<uint64_t>> start_block;  // where scan starts on an empty database
    Setting<uint64_t> poll_interval_ms;            // scan --follow
    Setting<uint64_t> batch_blocks;             // largest block range fetched and committed at once
    Setting<uint64_t> rpc_timeout_ms;           // per request
    Setting<uint64_t> rpc_retries;              // retries after the first attempt
    Setting<uint64_t> rpc_retry_budget_ms;      // no retry starts after this long
    Setting<double> rpc_rate_limit;             // requests/s per endpoint, 0: unlimited
    Setting<uint64_t> rpc_max_concurrency;      // requests in flight per endpoint, >= 1
    Setting<uint64_t> rpc_breaker_failures;     // consecutive failures that open it, 0: never
    Setting<uint64_t> rpc_breaker_cooldown_ms;  // open this long, then one probe
    Setting<uint64_t> rpc_max_response_bytes;   // larger answers are an error
    Setting<std::string> ca_file;               // PEM CA bundle for TLS; empty: system store
    Setting<std::string> commitment;            // solana: processed, confirmed, finalized
    Setting<std::string>
        genesis_hash;  // bitcoin (block 0, default mainnet), solana: checked if set
    // Set when `rpc` names an unset $VARIABLE: an error only once this chain is used, so one
    // shared file can list chains whose endpoints only some machines have.
    std::string rpc_unresolved;
};

// A family's default for a key the file, the environment and the flags left unset (a family's
// apply_defaults, chain/families.cpp); `config show` says "default for FAMILY".
template <class T, class V>
void set_family_default(const ChainConfig& c, Setting<T>& setting, V value) {
    if (setting.origin == "default")
        setting = {T(std::move(value)),
                   std::string("default for ") + chain::family_name(c.family.value)};
}

struct Config {
    std::string file;  // the file that was read, empty when none
    Setting<std::string> database_url;
    std::string database_url_unresolved;  // as rpc_unresolved, for [database] url
    std::map<std::string, ChainConfig> chains;

    // Throws UsageError naming the known chains when `name` is not configured.
    const ChainConfig& chain(const std::string& name) const;
    // The same, for commands that never call the node (ingest).
    const ChainConfig& chain_without_rpc(const std::string& name) const;
    // Throws UsageError telling where to set it when no database URL was given.
    const std::string& require_database_url() const;
};

// Empty when `name` can name a chain (1 to 64 letters, digits, '-' or '_': it becomes part of
// CHAINIDX_<NAME>_RPC and of log lines), else what is wrong with it, as "must be …".
std::string chain_name_problem(const std::string& name);

// The slowest rpc_rate_limit there is: below it a wait per request would be days (and the
// arithmetic of the wait overflows); 0 means unlimited.
constexpr double k_min_rpc_rate_limit = 0.001;

// What the command line said; unset fields leave the file/env value.
struct Overrides {
    std::optional<std::string> config_file;
    std::optional<std::string> database_url;
    std::optional<std::string> chain;  // the chain a --rpc / --confirmations applies to
    std::vector<std::string> rpc;
    std::optional<uint64_t> confirmations;
    std::optional<uint64_t> batch_blocks;
    std::optional<std::string> ca_file;  // --ca-file: every chain's endpoints of this run
};

// Reads the environment through `getenv` (a parameter so tests can supply their own).
using GetEnv = std::optional<std::string> (*)(const std::string&);
std::optional<std::string> process_env(const std::string& name);

Config load(const Overrides& flags, GetEnv getenv = process_env);
// Parses TOML text as if read from `path` (used by load and by tests).
Config parse(const std::string& toml_text, const std::string& path, GetEnv getenv = process_env);
void apply_env_and_flags(Config& config, const Overrides& flags, GetEnv getenv);

// The config as TOML-ish text with each value's origin, secrets masked.
std::string describe(const Config& config);

// Secret-free forms of connection strings for logs and errors.
std::string redact_database_url(const std::string& url);
std::string redact_rpc_url(const std::string& url);

}  // namespace chainidx::config
