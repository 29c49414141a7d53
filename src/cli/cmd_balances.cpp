// chainidx balances --chain NAME [--account 0x…] [--token 0x…] [--at stage]
#include <spdlog/spdlog.h>

#include <set>

#include "cli/common.hpp"
#include "core/model/errors.hpp"

namespace chainidx::cli {

namespace {

struct BalancesOptions {
    ChainFlags chain;
    std::string account;
    std::string token;
    std::string at = "pending";
    bool include_zero = false;
    Output output = Output::table;
};

void run_balances(const BalancesOptions& o, const GlobalOptions& g) {
    store::BalanceQuery q;
    q.chain = o.chain.chain;
    q.at = parse_finality(o.at);
    q.include_zero = o.include_zero;
    auto config = load_config(g, &o.chain);
    // A configured chain's flags are checked before connecting; another's once the database
    // says what family it was indexed as.
    std::unique_ptr<store::Store> store;
    if (!config.chains.count(q.chain)) {
        store = open_store(config, "balances");
        require_known_chain(config, *store, q.chain);
    }
    const chain::KeyFormat keys = key_format(config, store.get(), q.chain);
    if (!o.account.empty()) q.account = keys.parse_account(o.account, "--account");
    if (!o.token.empty()) q.token = keys.parse_token(o.token, "--token");
    if (!store) store = open_store(config, "balances");
    store::BalancesResult r = store->balances(q);
    // A quarantined token's balances miss the items that could not be normalized.
    std::set<Key> untrusted;
    for (const auto& t : store->quarantined_tokens(q.chain)) untrusted.insert(t.token);
    std::vector<nlohmann::ordered_json> rows;
    rows.reserve(r.rows.size());
    for (const auto& b : r.rows)
        rows.push_back({{"chain", q.chain},
                        {"token", keys.token(b.token)},
                        {"account", keys.account(b.account)},
                        {"amount", b.amount},
                        {"block", r.block ? nlohmann::ordered_json(*r.block) : nullptr},
                        {"trusted", !untrusted.count(b.token)}});
    print_rows(o.output, {"chain", "token", "account", "amount", "block", "trusted"}, rows);
    if (!untrusted.empty())
        spdlog::warn(
            "balances {}: {} token(s) are quarantined: their balances (trusted = false) "
            "miss items that could not be normalized (chainidx dlq list --status "
            "quarantined)",
            q.chain, untrusted.size());
}

}  // namespace

void register_balances(CLI::App& app, GlobalOptions& g) {
    auto o = std::make_shared<BalancesOptions>();
    auto* cmd = app.add_subcommand(
        "balances",
        "Indexed balances of an account, a token or a whole chain, as of the watermark or of "
        "the safe/finalized block. Amounts are exact integers in the token's base unit.\n"
        "Example: chainidx balances --chain ethereum --account 0xd8dA… --output json");
    add_chain_option(cmd, o->chain, false);
    cmd->add_option("--account", o->account, "Only this account")->option_text("ADDRESS");
    cmd->add_option("--token", o->token,
                    "Only this token: a contract (EVM), a mint or SOL (Solana), BTC (Bitcoin)")
        ->option_text("TOKEN");
    cmd->add_option("--at", o->at, "Finality stage: pending (default), safe or finalized")
        ->check(CLI::IsMember({"pending", "safe", "finalized"}))
        ->option_text("STAGE");
    cmd->add_flag("--all", o->include_zero, "Include zero balances");
    add_output_option(cmd, o->output);
    cmd->callback([o, &g] { run_balances(*o, g); });
}

}  // namespace chainidx::cli
