// libFuzzer target: a config file's text, read by config::parse with a fake environment, then
// merged with that environment (apply_env_and_flags), described (`config show`) and asked for
// each chain, the way `chainidx` uses a config.
#include <map>
#include <optional>
#include <string>

#include "core/config/config.hpp"
#include "fuzz_support.hpp"

using namespace chainidx;

namespace {

// A few variables are set, everything else is not (the unset-$VARIABLE paths).
std::optional<std::string> fake_getenv(const std::string& name) {
    static const std::map<std::string, std::string> env = {
        {"ETH_RPC", "https://eth.example/v2/SECRETKEY"},
        {"DB_URL", "postgres://user:pw@db.example:5432/chainidx?sslmode=require"},
        {"EMPTY", ""},
        {"CHAINIDX_DATABASE_URL", "postgres://u:p@127.0.0.1/x"},
        {"CHAINIDX_ETHEREUM_RPC", "http://127.0.0.1:1/a,,http://[::1]:2/b"},
        {"CHAINIDX_BITCOIN_RPC", "http://user:pass@127.0.0.1:8332/"},
    };
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text = fuzz::text_of(data, size);
    config::Config cfg;
    if (!fuzz::accepts([&] { cfg = config::parse(text, "fuzz.toml", fake_getenv); })) return 0;
    (void)fuzz::accepts([&] { (void)config::describe(cfg); });
    if (!fuzz::accepts([&] { config::apply_env_and_flags(cfg, config::Overrides{}, fake_getenv); }))
        return 0;
    (void)fuzz::accepts([&] { (void)config::describe(cfg); });
    (void)fuzz::accepts([&] { (void)config::redact_database_url(cfg.require_database_url()); });
    for (const auto& [name, c] : cfg.chains) {
        (void)fuzz::accepts([&, n = name] { (void)cfg.chain(n); });
        for (const std::string& url : c.rpc.value)
            (void)fuzz::accepts([&] { (void)config::redact_rpc_url(url); });
    }
    return 0;
}
