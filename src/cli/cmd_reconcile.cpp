// chainidx reconcile --chain NAME [--block N | --at finalized] [--token …] [--account …]
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"
#include "core/model/errors.hpp"
#include "core/reconcile/reconcile.hpp"

namespace chainidx::cli {

namespace {

struct ReconcileOptions {
    ChainFlags chain;
    std::optional<uint64_t> block;
    std::string at;
    std::vector<std::string> tokens, accounts;
    size_t sample = 0;
    Output output = Output::table;
};

void run_reconcile(const ReconcileOptions& o, const GlobalOptions& g) {
    reconcile::Options ro;
    ro.block = o.block;
    if (!o.at.empty()) ro.at = parse_finality(o.at);
    ro.sample = o.sample;
    auto config = load_config(g, &o.chain);
    const auto& chain = config.chain(o.chain.chain);
    const chain::KeyFormat keys(chain.family.value);
    for (const auto& t : o.tokens) ro.tokens.push_back(keys.parse_token(t, "--token"));
    for (const auto& a : o.accounts) ro.accounts.push_back(keys.parse_account(a, "--account"));
    auto store = open_store(config, "reconcile " + chain.name);
    reconcile::Report r = reconcile::run(chain, *store, ro);

    nlohmann::ordered_json j{{"chain", r.chain},
                             {"block", r.block},
                             {"run_id", r.run_id},
                             {"pairs_checked", r.pairs_checked},
                             {"pairs_matching", r.pairs_matching},
                             {"pairs_drifted", r.drifts.size()},
                             {"sum_mismatches", r.sum_mismatches.size()}};
    // Rows are built apart and moved in at the end: references into an ordered_json object
    // dangle as soon as another key is added.
    std::vector<nlohmann::ordered_json> drifts, sums;
    for (const auto& d : r.drifts)
        drifts.push_back({{"token", d.token},
                          {"account", d.account},
                          {"indexed", d.indexed},
                          {"on_chain", d.on_chain.empty() ? nlohmann::ordered_json()
                                                          : nlohmann::ordered_json(d.on_chain)},
                          {"difference", d.difference},
                          {"classification", d.classification}});
    for (const auto& m : r.sum_mismatches)
        sums.push_back({{"token", m.token},
                        {"account", m.account},
                        {"balance", m.balance},
                        {"sum_of_events", m.sum_of_events}});
    if (o.output == Output::table) {
        std::cout << "reconcile " << r.chain << " at block " << r.block << " (run " << r.run_id
                  << "): " << r.pairs_checked << " pairs checked, " << r.pairs_matching
                  << " match, " << r.drifts.size() << " drifted, " << r.sum_mismatches.size()
                  << " balances differ from the sum of their events\n";
        if (!drifts.empty())
            print_rows(Output::table,
                       {"token", "account", "indexed", "on_chain", "difference", "classification"},
                       drifts);
        if (!sums.empty())
            print_rows(Output::table, {"token", "account", "balance", "sum_of_events"}, sums);
    } else {
        j["drifts"] = drifts;
        j["sum_mismatch_pairs"] = sums;
        std::cout << (o.output == Output::json ? j.dump(2) : j.dump()) << "\n";
    }
    if (!r.clean()) exit_code() = k_exit_drift;
}

}  // namespace

void register_reconcile(CLI::App& app, GlobalOptions& g) {
    auto o = std::make_shared<ReconcileOptions>();
    auto* cmd = app.add_subcommand(
        "reconcile",
        "Compare indexed balances with the chain's own (ERC-20 balanceOf via eth_call at one "
        "block, batched) and check that every balance equals the sum of its events. Each run is "
        "stored. Exit 0: all match; 3: drift found; 2: bad usage or nothing indexed; 1: could not "
        "run.\n"
        "Example: chainidx reconcile --chain ethereum --at finalized --sample 500");
    add_chain_option(cmd, o->chain);
    auto* block = add_number(cmd, "--block", o->block, "Block to compare at (default: watermark)",
                             k_block_number)
                      ->option_text("N");
    cmd->add_option("--at", o->at,
                    "Compare at the safe or finalized height instead (pending: the watermark)")
        ->check(CLI::IsMember({"pending", "safe", "finalized"}))
        ->excludes(block)
        ->option_text("STAGE");
    cmd->add_option("--token", o->tokens, "Only this token (repeatable)")->option_text("0xADDR");
    cmd->add_option("--account", o->accounts, "Only this account (repeatable)")
        ->option_text("0xADDR");
    add_number(cmd, "--sample", o->sample, "Check N pairs picked by hash (default: all)")
        ->option_text("N");
    add_output_option(cmd, o->output);
    cmd->callback([o, &g] { run_reconcile(*o, g); });
}

}  // namespace chainidx::cli
