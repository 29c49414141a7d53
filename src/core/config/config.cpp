#include "core/config/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/chain/keys.hpp"
#include "core/config/env_file.hpp"
#include "core/model/errors.hpp"

namespace chainidx::config {

namespace {

struct KnownChain {
    const char* name;
    uint64_t chain_id;
};
// EVM chains chainidx knows without a config file; only the RPC endpoint must be given.
constexpr KnownChain k_known_evm_chains[] = {
    {"ethereum", 1}, {"base", 8453}, {"polygon", 137}, {"arbitrum", 42161}, {"bsc", 56}};

ChainConfig default_chain(const std::string& name) {
    ChainConfig c;
    c.name = name;
    c.family.value = chain::Family::evm;
    c.finality.value = "tags";
    c.finality_depth.value = 64;
    c.confirmations.value = 0;
    c.poll_interval_ms.value = 2000;
    c.batch_blocks.value = 2000;
    c.rpc_timeout_ms.value = 30000;
    c.rpc_retries.value = 5;
    c.rpc_retry_budget_ms.value = 120000;
    c.rpc_rate_limit.value = 0;
    c.rpc_max_concurrency.value = 16;
    c.rpc_breaker_failures.value = 5;
    c.rpc_breaker_cooldown_ms.value = 30000;
    // Providers cap answers well below this (and chainidx halves a span past 8 MiB); parsing
    // costs about twice the answer in memory, so the cap bounds peak memory too.
    c.rpc_max_response_bytes.value = uint64_t(64) << 20;
    c.commitment.value = "confirmed";
    return c;
}

// "PATH:LINE" of a value read from the file (its origin is "file PATH:LINE").
std::string origin_line(const std::string& origin) {
    return origin.rfind("file ", 0) == 0 ? origin.substr(5) : origin;
}
template <class T>
std::string file_line(const Setting<T>& s) {
    return origin_line(s.origin);
}

// The config keys only some families understand (chain/family.hpp's FamilyKey): set for another
// family, a key is refused, since a silently ignored setting is a misconfiguration found only in
// production.
struct FamilyOnlyKey {
    chain::FamilyKey bit;
    const char* name;
    const std::string& (*origin)(const ChainConfig& c);
};
constexpr FamilyOnlyKey k_family_only_keys[] = {
    {chain::k_key_tokens, "tokens",
     [](const ChainConfig& c) -> const std::string& { return c.tokens.origin; }},
    {chain::k_key_commitment, "commitment",
     [](const ChainConfig& c) -> const std::string& { return c.commitment.origin; }},
    {chain::k_key_genesis_hash, "genesis_hash",
     [](const ChainConfig& c) -> const std::string& { return c.genesis_hash.origin; }},
};

void check_family_keys(const ChainConfig& c) {
    const chain::FamilyInfo& family = chain::family_info(c.family.value);
    for (const FamilyOnlyKey& k : k_family_only_keys) {
        const std::string& origin = k.origin(c);
        if (origin == "default" || (family.keys_accepted & k.bit)) continue;
        throw UsageError(origin_line(origin) + ": chains." + c.name + "." + k.name +
                         " is only for family " + chain::family_names(k.bit) +
                         " (this chain is \"" + family.name + "\")");
    }
    // The genesis hash is written the family's way.
    const std::string& v = c.genesis_hash.value;
    const chain::KeyCodec& keys = family.keys();
    if (!v.empty() && !keys.is_block_hash_text(v))
        throw UsageError(file_line(c.genesis_hash) + ": chains." + c.name +
                         ".genesis_hash must be " + keys.block_hash_form() + " for family \"" +
                         family.name + "\" (got \"" + v + "\")");
}

std::string env_name_for(const std::string& chain, const char* key) {
    std::string out = "CHAINIDX_";
    for (char c : chain) out += (c == '-' ? '_' : static_cast<char>(std::toupper(c)));
    return out + "_" + key;
}

class FileReader {
  public:
    FileReader(std::string path, GetEnv getenv) : m_path(std::move(path)), m_getenv(getenv) {}

    std::string where(const toml::node& n) const {
        return m_path + ":" + std::to_string(n.source().begin.line);
    }
    [[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& msg) {
        throw UsageError(where(n) + ": " + key + " " + msg);
    }

    // A string value; "$NAME" is read from the environment.
    std::string string(const toml::node& n, const std::string& key) {
        auto s = n.value<std::string>();
        if (!n.is_string() || !s) fail(n, key, "must be a string");
        if (!s->empty() && (*s)[0] == '$') {
            std::string var = s->substr(1);
            std::optional<EnvValue> v;
            try {
                v = env_or_file(var, m_getenv);
            } catch (const UsageError& e) {
                fail(n, key, "refers to $" + var + ": " + e.what());
            }
            if (!v)
                fail(n, key,
                     "refers to $" + var + ", which is not set in the environment (nor " + var +
                         "_FILE)");
            return v->value;
        }
        return *s;
    }
    // An integer or a float, not negative, finite.
    double number(const toml::node& n, const std::string& key) {
        auto v = n.value<double>();
        if (!(n.is_integer() || n.is_floating_point()) || !v) fail(n, key, "must be a number");
        if (!std::isfinite(*v)) fail(n, key, "must be a finite number");
        if (*v < 0) fail(n, key, "must not be negative");
        return *v;
    }
    // An existing file; a relative path is taken from the config file's directory, so a unit
    // started from / finds the same file as a shell in the config's directory.
    std::string existing_file(const toml::node& n, const std::string& key) {
        namespace fs = std::filesystem;
        std::string s = string(n, key);
        if (s.empty()) return s;
        fs::path p(s);
        if (p.is_relative()) p = fs::path(m_path).parent_path() / p;
        std::error_code ec;
        if (!fs::is_regular_file(p, ec))
            fail(n, key, "names " + p.string() + ", which is not a file");
        return p.string();
    }
    uint64_t integer(const toml::node& n, const std::string& key) {
        // is_integer() first: toml++ converts a float such as 1e40 to int64_t unchecked (UB).
        if (!n.is_integer()) fail(n, key, "must be an integer");
        auto v = n.value<int64_t>();
        if (!v) fail(n, key, "must be an integer");
        if (*v < 0) fail(n, key, "must not be negative (got " + std::to_string(*v) + ")");
        return static_cast<uint64_t>(*v);
    }
    std::vector<std::string> strings(const toml::node& n, const std::string& key) {
        std::vector<std::string> out;
        if (n.is_string()) {
            std::string s = string(n, key);
            if (!s.empty()) out.push_back(s);
            return out;
        }
        const toml::array* arr = n.as_array();
        if (!arr) fail(n, key, "must be a string or an array of strings");
        for (const toml::node& item : *arr) {
            // An unset optional endpoint ("$ETH_RPC_BACKUP" with no variable) is an error too:
            // a silently missing failover endpoint is found only in an outage.
            out.push_back(string(item, key));
        }
        return out;
    }
    template <class T>
    Setting<T> setting(T value, const toml::node& n) {
        return Setting<T>{std::move(value), "file " + where(n)};
    }

    const std::string& path() const { return m_path; }

  private:
    std::string m_path;
    GetEnv m_getenv;
};

void read_chain(FileReader& r, const std::string& name, const toml::table& t, ChainConfig& c) {
    for (auto&& [key_obj, node] : t) {
        const std::string key(key_obj.str());
        const std::string full = "chains." + name + "." + key;
        if (key == "family") {
            std::string f = r.string(node, full);
            const chain::FamilyInfo* family = chain::find_family(f);
            if (!family)
                r.fail(node, full, "must be " + chain::family_names() + " (got \"" + f + "\")");
            c.family = r.setting(family->id, node);
        } else if (key == "chain_id") {
            c.chain_id = r.setting(r.integer(node, full), node);
        } else if (key == "rpc") {
            try {
                c.rpc = r.setting(r.strings(node, full), node);
            } catch (const UsageError& e) {
                c.rpc_unresolved = e.what();
            }
        } else if (key == "finality") {
            std::string f = r.string(node, full);
            if (f != "tags" && f != "depth")
                r.fail(node, full, "must be \"tags\" or \"depth\" (got \"" + f + "\")");
            c.finality = r.setting(f, node);
        } else if (key == "finality_depth") {
            c.finality_depth = r.setting(r.integer(node, full), node);
        } else if (key == "confirmations") {
            c.confirmations = r.setting(r.integer(node, full), node);
        } else if (key == "tokens") {
            std::vector<Address> tokens;
            for (const std::string& s : r.strings(node, full)) {
                try {
                    tokens.push_back(parse_address(s, full.c_str()));
                } catch (const UsageError& e) {
                    throw UsageError(r.where(node) + ": " + e.what());
                }
            }
            c.tokens = r.setting(tokens, node);
        } else if (key == "start_block") {
            c.start_block = r.setting(std::optional<uint64_t>(r.integer(node, full)), node);
        } else if (key == "poll_interval_ms") {
            c.poll_interval_ms = r.setting(r.integer(node, full), node);
        } else if (key == "batch_blocks") {
            uint64_t v = r.integer(node, full);
            if (v == 0) r.fail(node, full, "must be at least 1");
            c.batch_blocks = r.setting(v, node);
        } else if (key == "rpc_timeout_ms") {
            // 0 would be libcurl's "no timeout": a node that trickles a byte a second holds the
            // run for ever.
            uint64_t v = r.integer(node, full);
            if (v == 0) r.fail(node, full, "must be at least 1 (milliseconds per request)");
            c.rpc_timeout_ms = r.setting(v, node);
        } else if (key == "rpc_retries") {
            c.rpc_retries = r.setting(r.integer(node, full), node);
        } else if (key == "rpc_retry_budget_ms") {
            c.rpc_retry_budget_ms = r.setting(r.integer(node, full), node);
        } else if (key == "rpc_rate_limit") {
            const double v = r.number(node, full);
            if (v > 0 && v < k_min_rpc_rate_limit) {
                char got[32];
                std::snprintf(got, sizeof got, "%g", v);
                r.fail(node, full,
                       "must be 0 (unlimited) or at least 0.001 requests/s (got " +
                           std::string(got) + ")");
            }
            c.rpc_rate_limit = r.setting(v, node);
        } else if (key == "rpc_max_concurrency") {
            uint64_t v = r.integer(node, full);
            if (v == 0) r.fail(node, full, "must be at least 1");
            c.rpc_max_concurrency = r.setting(v, node);
        } else if (key == "rpc_breaker_failures") {
            c.rpc_breaker_failures = r.setting(r.integer(node, full), node);
        } else if (key == "rpc_breaker_cooldown_ms") {
            c.rpc_breaker_cooldown_ms = r.setting(r.integer(node, full), node);
        } else if (key == "rpc_max_response_bytes") {
            uint64_t v = r.integer(node, full);
            if (v == 0) r.fail(node, full, "must be at least 1");
            c.rpc_max_response_bytes = r.setting(v, node);
        } else if (key == "ca_file") {
            c.ca_file = r.setting(r.existing_file(node, full), node);
        } else if (key == "commitment") {
            std::string v = r.string(node, full);
            if (v != "processed" && v != "confirmed" && v != "finalized")
                r.fail(node, full,
                       "must be \"processed\", \"confirmed\" or \"finalized\" (got \"" + v + "\")");
            c.commitment = r.setting(v, node);
        } else if (key == "genesis_hash") {
            std::string v = r.string(node, full);  // its form depends on the family: checked below
            c.genesis_hash = r.setting(v, node);
        } else {
            r.fail(node, full,
                   "is not a known key (known: family, chain_id, rpc, finality, finality_depth, "
                   "confirmations, tokens, start_block, poll_interval_ms, batch_blocks, "
                   "rpc_timeout_ms, rpc_retries, rpc_retry_budget_ms, rpc_rate_limit, "
                   "rpc_max_concurrency, rpc_breaker_failures, rpc_breaker_cooldown_ms, "
                   "rpc_max_response_bytes, ca_file, commitment, genesis_hash)");
        }
    }
}

void add_known_chains(Config& config) {
    for (const KnownChain& k : k_known_evm_chains) {
        if (config.chains.count(k.name)) continue;
        ChainConfig c = default_chain(k.name);
        c.chain_id.value = k.chain_id;
        config.chains.emplace(k.name, std::move(c));
    }
}

std::optional<std::string> find_config_file(const Overrides& flags, GetEnv getenv) {
    namespace fs = std::filesystem;
    if (flags.config_file) {
        if (!fs::exists(*flags.config_file))
            throw UsageError("--config " + *flags.config_file + ": no such file");
        return flags.config_file;
    }
    if (auto env = getenv("CHAINIDX_CONFIG")) {
        if (!fs::exists(*env)) throw UsageError("CHAINIDX_CONFIG=" + *env + ": no such file");
        return env;
    }
    if (fs::exists("chainidx.toml")) return std::string("chainidx.toml");
    std::string xdg;
    if (auto x = getenv("XDG_CONFIG_HOME"); x && !x->empty())
        xdg = *x;
    else if (auto home = getenv("HOME"); home && !home->empty())
        xdg = *home + "/.config";
    if (!xdg.empty() && fs::exists(xdg + "/chainidx/config.toml"))
        return xdg + "/chainidx/config.toml";
    return std::nullopt;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
    return out;
}

}  // namespace

std::string chain_name_problem(const std::string& name) {
    const bool ok =
        !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
        });
    if (ok) return "";
    return "must be 1 to 64 letters, digits, '-' or '_' (got \"" + name + "\")";
}

std::optional<std::string> process_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
}

Config parse(const std::string& toml_text, const std::string& path, GetEnv getenv) {
    Config config;
    config.file = path;
    toml::table root;
    try {
        root = toml::parse(toml_text, path);
    } catch (const toml::parse_error& e) {
        throw UsageError(path + ":" + std::to_string(e.source().begin.line) + ": " +
                         std::string(e.description()));
    }
    FileReader r(path, getenv);
    for (auto&& [key_obj, node] : root) {
        const std::string key(key_obj.str());
        if (key == "database") {
            const toml::table* t = node.as_table();
            if (!t) r.fail(node, key, "must be a table ([database])");
            for (auto&& [k, v] : *t) {
                if (k.str() != "url")
                    r.fail(v, "database." + std::string(k.str()),
                           "is not a known key (known: url)");
                try {
                    config.database_url = r.setting(r.string(v, "database.url"), v);
                } catch (const UsageError& e) {
                    config.database_url_unresolved = e.what();
                }
            }
        } else if (key == "chains") {
            const toml::table* t = node.as_table();
            if (!t) r.fail(node, key, "must be a table ([chains.NAME])");
            for (auto&& [name_key, chain_node] : *t) {
                std::string name(name_key.str());
                if (std::string problem = chain_name_problem(name); !problem.empty())
                    r.fail(chain_node, "chains.\"" + name + "\"",
                           "is not a chain name: " + problem);
                const toml::table* ct = chain_node.as_table();
                if (!ct) r.fail(chain_node, "chains." + name, "must be a table");
                ChainConfig c = default_chain(name);
                for (const KnownChain& k : k_known_evm_chains)
                    if (name == k.name) c.chain_id.value = k.chain_id;
                read_chain(r, name, *ct, c);
                chain::family_info(c.family.value).apply_defaults(c);
                check_family_keys(c);
                // Only some families' nodes have a chain id to check.
                if (chain::family_info(c.family.value).needs_chain_id && c.chain_id.value == 0)
                    r.fail(chain_node, "chains." + name,
                           "needs chain_id (the node's eth_chainId, e.g. chain_id = 1)");
                config.chains[name] = std::move(c);
            }
        } else {
            r.fail(node, key, "is not a known section (known: [database], [chains.NAME])");
        }
    }
    return config;
}

void apply_env_and_flags(Config& config, const Overrides& flags, GetEnv getenv) {
    add_known_chains(config);
    // A variable (or its _FILE) that cannot be read is an error once its value is used, like a
    // "$NAME" of the file: a command without a database does not fail on the database's.
    try {
        if (auto url = env_or_file("CHAINIDX_DATABASE_URL", getenv)) {
            config.database_url = {url->value, url->origin};
            config.database_url_unresolved.clear();
        }
    } catch (const UsageError& e) {
        config.database_url = {};
        config.database_url_unresolved = e.what();
    }
    for (auto& [name, chain] : config.chains) {
        try {
            if (auto rpc = env_or_file(env_name_for(name, "RPC"), getenv)) {
                chain.rpc = {split_endpoints(rpc->value), rpc->origin};
                chain.rpc_unresolved.clear();
            }
        } catch (const UsageError& e) {
            chain.rpc = {};
            chain.rpc_unresolved = e.what();
        }
    }
    // The endpoints of this run's --chain from a file: a template unit (chainidx-scan@.service)
    // cannot spell CHAINIDX_<CHAIN>_RPC_FILE, so it passes its LoadCredential= file as this.
    if (auto file = getenv("CHAINIDX_RPC_FILE");
        file && !file->empty() && flags.chain && config.chains.count(*flags.chain)) {
        ChainConfig& c = config.chains[*flags.chain];
        try {
            c.rpc = {split_endpoints(read_value_file("CHAINIDX_RPC_FILE", *file)),
                     "env CHAINIDX_RPC_FILE=" + *file};
            c.rpc_unresolved.clear();
        } catch (const UsageError& e) {
            c.rpc = {};
            c.rpc_unresolved = e.what();
        }
    }
    if (flags.database_url) {
        config.database_url = {*flags.database_url, "flag --db"};
        config.database_url_unresolved.clear();
    }
    if (flags.ca_file) {
        if (std::FILE* f = std::fopen(flags.ca_file->c_str(), "r"))
            std::fclose(f);
        else
            throw UsageError("--ca-file " + *flags.ca_file +
                             ": cannot read it (a PEM file of CA certificates)");
        for (auto& [name, c] : config.chains) c.ca_file = {*flags.ca_file, "flag --ca-file"};
    }
    if (flags.chain && config.chains.count(*flags.chain)) {
        ChainConfig& c = config.chains[*flags.chain];
        if (!flags.rpc.empty()) {
            c.rpc = {flags.rpc, "flag --rpc"};
            c.rpc_unresolved.clear();
        }
        if (flags.confirmations) c.confirmations = {*flags.confirmations, "flag --confirmations"};
        if (flags.batch_blocks) {
            if (*flags.batch_blocks == 0) throw UsageError("--batch-blocks must be at least 1");
            c.batch_blocks = {*flags.batch_blocks, "flag --batch-blocks"};
        }
    }
}

Config load(const Overrides& flags, GetEnv getenv) {
    Config config;
    if (auto path = find_config_file(flags, getenv)) {
        std::ifstream in(*path);
        if (!in) throw UsageError(*path + ": cannot read the config file");
        std::stringstream text;
        text << in.rdbuf();
        config = parse(text.str(), *path, getenv);
    }
    apply_env_and_flags(config, flags, getenv);
    return config;
}

const ChainConfig& Config::chain_without_rpc(const std::string& name) const {
    auto it = chains.find(name);
    if (it == chains.end()) {
        std::vector<std::string> names;
        for (const auto& [n, _] : chains) names.push_back(n);
        throw UsageError("unknown chain \"" + name + "\" (configured: " + join(names, ", ") +
                         "); add a [chains." + name + "] table to the config file");
    }
    return it->second;
}

const ChainConfig& Config::chain(const std::string& name) const {
    const ChainConfig& c = chain_without_rpc(name);
    if (!c.rpc_unresolved.empty()) throw UsageError(c.rpc_unresolved);
    if (c.rpc.value.empty())
        throw UsageError("chain " + name +
                         " has no RPC endpoint: set rpc = [\"https://…\"] in [chains." + name +
                         "], or " + env_name_for(name, "RPC") + ", or --rpc URL");
    return c;
}

const std::string& Config::require_database_url() const {
    if (!database_url_unresolved.empty()) throw UsageError(database_url_unresolved);
    if (database_url.value.empty())
        throw UsageError(
            "no database given: use --db postgres://…, set CHAINIDX_DATABASE_URL, or set url in "
            "the [database] table of the config file");
    return database_url.value;
}

namespace {

// "pw" in "password=pw" of a URI query (libpq's keys are case-sensitive).
std::string redact_query_passwords(std::string url) {
    const size_t query = url.find('?');
    if (query == std::string::npos) return url;
    for (size_t at = query + 1; at < url.size();) {
        size_t end = url.find('&', at);
        if (end == std::string::npos) end = url.size();
        const size_t eq = url.find('=', at);
        if (eq < end) {
            const std::string_view key(url.data() + at, eq - at);
            if (key == "password" || key == "sslpassword") {
                url.replace(eq + 1, end - eq - 1, "***");
                end = eq + 4;
            }
        }
        at = end + 1;
    }
    return url;
}

// A host[:port] as it may be shown: name or address characters, a numeric port.
bool plain_host(std::string_view host) {
    if (host.empty()) return false;
    size_t port = host.rfind(':');
    if (host.back() == ']' || host.find(':') != port) port = std::string_view::npos;  // IPv6
    for (size_t i = 0; i < host.size(); ++i) {
        const char c = host[i];
        const bool digit = c >= '0' && c <= '9';
        if (port != std::string_view::npos && i > port
                ? !digit
                : !(std::isalnum(static_cast<unsigned char>(c)) || std::strchr(".-_:[]", c) ||
                    i == port))
            return false;
    }
    return true;
}

}  // namespace

std::string redact_database_url(const std::string& url) {
    // URI form: scheme://user:password@host/...?password=...
    auto scheme = url.find("://");
    if (scheme != std::string::npos) {
        std::string out = url;
        // The user info ends at the last '@': a password may hold an unencoded '@', '/' or '?',
        // and none of it may show (a '@' further right only masks more than needed).
        const size_t start = scheme + 3;
        const size_t at = out.rfind('@');
        if (at != std::string::npos && at >= start) {
            const size_t colon = out.find(':', start);
            if (colon < at) out.replace(colon + 1, at - colon - 1, "***");
        }
        return redact_query_passwords(out);
    }
    // Nothing that looks like a connection string: it may be anything, so none of it shows.
    if (url.find('=') == std::string::npos) return url.empty() ? url : "***";
    // Keyword form: "host=x password=secret", "password = 'two words'" (libpq allows spaces
    // around '=' and single-quoted values with \' escapes).
    std::string out;
    size_t i = 0;
    while (i < url.size()) {
        size_t key = url.find("password", i);
        if (key == std::string::npos) break;
        size_t p = key + 8;
        while (p < url.size() && url[p] == ' ') ++p;
        if (p >= url.size() || url[p] != '=') {
            out += url.substr(i, p - i);
            i = p;
            continue;
        }
        ++p;
        while (p < url.size() && url[p] == ' ') ++p;
        size_t end = p;
        if (end < url.size() && url[end] == '\'') {
            for (++end; end < url.size() && url[end] != '\''; ++end)
                if (url[end] == '\\') ++end;
            if (end < url.size()) ++end;
        } else {
            while (end < url.size() && url[end] != ' ') ++end;
        }
        out += url.substr(i, key - i) + "password=***";
        i = end;
    }
    return out + url.substr(std::min(i, url.size()));
}

std::string redact_rpc_url(const std::string& url) {
    // Providers put API keys in the path (/v2/KEY), the query (?apikey=) or the userinfo, so only
    // scheme://host[:port] is ever shown.
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return "<rpc endpoint>";
    auto host_start = scheme + 3;
    auto slash = url.find_first_of("/?#", host_start);
    // The user info ends at the last '@' of the authority (a password may hold an unencoded '@').
    auto at = url.rfind('@', slash == std::string::npos ? std::string::npos : slash);
    if (at != std::string::npos && at >= host_start && (slash == std::string::npos || at < slash))
        host_start = at + 1;
    const std::string host =
        url.substr(host_start, slash == std::string::npos ? std::string::npos : slash - host_start);
    // Anything else there (a password with an unencoded '/', a stray character) may be a secret.
    if (!plain_host(host)) return url.substr(0, scheme + 3) + "***";
    std::string out = url.substr(0, scheme + 3) + host;
    if (slash != std::string::npos && url.size() > slash + 1) out += "/***";
    return out;
}

namespace {
std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);  // 2.5, 10, not 10.000000
    return buf;
}
}  // namespace

std::string describe(const Config& config) {
    std::ostringstream out;
    auto line = [&](const std::string& key, const std::string& value, const std::string& origin) {
        out << key << " = " << value << "    # " << origin << "\n";
    };
    auto quote = [](const std::string& s) { return "\"" + s + "\""; };
    out << "# config file: " << (config.file.empty() ? "(none)" : config.file) << "\n";
    out << "[database]\n";
    if (!config.database_url_unresolved.empty())
        line("url", "(unresolved)", config.database_url_unresolved);
    else
        line("url",
             config.database_url.value.empty()
                 ? "(unset)"
                 : quote(redact_database_url(config.database_url.value)),
             config.database_url.origin);
    for (const auto& [name, c] : config.chains) {
        out << "\n[chains." << name << "]\n";
        const unsigned family_keys = chain::family_info(c.family.value).keys_accepted;
        line("family", quote(chain::family_name(c.family.value)), c.family.origin);
        line("chain_id", std::to_string(c.chain_id.value), c.chain_id.origin);
        std::vector<std::string> rpcs;
        for (const auto& u : c.rpc.value) rpcs.push_back(quote(redact_rpc_url(u)));
        if (!c.rpc_unresolved.empty())
            line("rpc", "(unresolved)", c.rpc_unresolved);
        else
            line("rpc", "[" + join(rpcs, ", ") + "]", c.rpc.origin);
        line("finality", quote(c.finality.value), c.finality.origin);
        line("finality_depth", std::to_string(c.finality_depth.value), c.finality_depth.origin);
        line("confirmations", std::to_string(c.confirmations.value), c.confirmations.origin);
        if (family_keys & chain::k_key_tokens) {
            std::vector<std::string> tokens;
            for (const auto& t : c.tokens.value) tokens.push_back(quote(hex::encode(t)));
            line("tokens", "[" + join(tokens, ", ") + "]", c.tokens.origin);
        }
        line("start_block",
             c.start_block.value ? std::to_string(*c.start_block.value)
                                 : "(none: scan needs it, a backfill or --from-head)",
             c.start_block.origin);
        line("poll_interval_ms", std::to_string(c.poll_interval_ms.value),
             c.poll_interval_ms.origin);
        line("batch_blocks", std::to_string(c.batch_blocks.value), c.batch_blocks.origin);
        line("rpc_timeout_ms", std::to_string(c.rpc_timeout_ms.value), c.rpc_timeout_ms.origin);
        line("rpc_retries", std::to_string(c.rpc_retries.value), c.rpc_retries.origin);
        line("rpc_retry_budget_ms", std::to_string(c.rpc_retry_budget_ms.value),
             c.rpc_retry_budget_ms.origin);
        line("rpc_rate_limit", number(c.rpc_rate_limit.value), c.rpc_rate_limit.origin);
        line("rpc_max_concurrency", std::to_string(c.rpc_max_concurrency.value),
             c.rpc_max_concurrency.origin);
        line("rpc_breaker_failures", std::to_string(c.rpc_breaker_failures.value),
             c.rpc_breaker_failures.origin);
        line("rpc_breaker_cooldown_ms", std::to_string(c.rpc_breaker_cooldown_ms.value),
             c.rpc_breaker_cooldown_ms.origin);
        line("rpc_max_response_bytes", std::to_string(c.rpc_max_response_bytes.value),
             c.rpc_max_response_bytes.origin);
        line("ca_file", c.ca_file.value.empty() ? "(system CA store)" : quote(c.ca_file.value),
             c.ca_file.origin);
        if (family_keys & chain::k_key_commitment)
            line("commitment", quote(c.commitment.value), c.commitment.origin);
        if (family_keys & chain::k_key_genesis_hash) {
            line("genesis_hash",
                 c.genesis_hash.value.empty() ? "(not checked)" : quote(c.genesis_hash.value),
                 c.genesis_hash.origin);
        }
    }
    return out.str();
}

}  // namespace chainidx::config
