// chainidx status --chain NAME
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"
#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/engine.hpp"

namespace chainidx::cli {

namespace {

struct StatusOptions {
    ChainFlags chain;
    Output output = Output::table;
    bool verify = false;
    bool check = false;
    uint64_t max_lag = 64;
};

// status --check: one line on stderr and exit 5 when the chain is not healthy, for monitors.
void check_health(const StatusOptions& o, const store::Status& s,
                  const std::optional<uint64_t>& head, uint64_t open_dead_letters) {
    std::string problem;
    if (open_dead_letters)
        problem = "stopped at " + std::to_string(open_dead_letters) +
                  " open dead letter(s): items that cannot be normalized (chainidx dlq list)";
    else if (!s.watermark)
        problem = "nothing indexed yet";
    else if (!head)
        problem = "the head is unknown (the RPC endpoint did not answer)";
    else if (*head > *s.watermark && *head - *s.watermark > o.max_lag)
        problem = "lagging " + std::to_string(*head - *s.watermark) + " blocks behind the head " +
                  std::to_string(*head) + " (more than --max-lag " + std::to_string(o.max_lag) +
                  ")";
    if (problem.empty()) return;
    spdlog::error("status --check {}: {}", s.chain, problem);
    if (exit_code() == 0) exit_code() = k_exit_check_failed;
}

nlohmann::ordered_json opt(const std::optional<uint64_t>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}

void run_status(const StatusOptions& o, const GlobalOptions& g) {
    auto config = load_config(g, &o.chain);
    auto store = open_store(config, "status");
    require_known_chain(config, *store, o.chain.chain);
    store::Status s = store->status(o.chain.chain);
    std::optional<uint64_t> head;
    if (auto it = config.chains.find(o.chain.chain);
        it != config.chains.end() && !it->second.rpc.value.empty()) {
        std::string error;
        head = pipeline::node_head(it->second, error);
        if (!head) spdlog::warn("status {}: head unknown: {}", o.chain.chain, error);
    }
    nlohmann::ordered_json j;
    j["chain"] = s.chain;
    j["watermark"] = opt(s.watermark);
    // The store says 0x-hex; print it the way the chain's family writes block hashes.
    const chain::KeyFormat keys = key_format(config, store.get(), o.chain.chain);
    j["watermark_hash"] = s.watermark
                              ? nlohmann::ordered_json(keys.block_hash(
                                    hex::decode_fixed<32>(s.watermark_hash, "watermark hash")))
                              : nullptr;
    j["head"] = opt(head);
    j["safe"] = s.safe_block;
    j["finalized"] = s.finalized_block;
    j["lag"] = head && s.watermark
                   ? nlohmann::ordered_json(*head > *s.watermark ? *head - *s.watermark : 0)
                   : nlohmann::ordered_json();
    j["event_count"] = s.event_count;
    j["block_count"] = s.block_count;
    j["balance_count"] = s.balance_count;
    j["reorg_count"] = s.reorg_count;
    if (s.last_reorg) {
        const auto& r = *s.last_reorg;
        j["last_reorg"] = {{"kind", r.kind},
                           {"fork_block", r.fork_block},
                           {"depth", r.depth},
                           {"old_head", r.old_head_number},
                           {"old_hash", r.old_head_hash},
                           {"new_hash", r.new_hash},
                           {"events_reverted", r.events_reverted},
                           {"detected_at", r.detected_at}};
    } else {
        j["last_reorg"] = nullptr;
    }
    const uint64_t open_dead_letters = store->open_dead_letters(o.chain.chain);
    j["dead_letters_open"] = open_dead_letters;
    auto& untrusted = j["quarantined_tokens"] = nlohmann::ordered_json::array();
    for (const auto& q : store->quarantined_tokens(o.chain.chain))
        untrusted.push_back({{"token", keys.token(q.token)},
                             {"since_block", q.since_block},
                             {"reason", q.reason},
                             {"balances", "untrusted"}});
    auto& jobs = j["unfinished_backfills"] = nlohmann::ordered_json::array();
    for (const auto& b : s.unfinished_backfills) jobs.push_back({{"from", b.from}, {"to", b.to}});
    if (o.verify) {
        auto bad = store->verify_balances(o.chain.chain);
        auto& arr = j["balance_sum_mismatches"] = nlohmann::ordered_json::array();
        for (const auto& m : bad)
            arr.push_back({{"token", keys.token(m.token)},
                           {"account", keys.account(m.account)},
                           {"balance", m.balance},
                           {"sum_of_events", m.sum_of_events}});
        if (!bad.empty()) exit_code() = k_exit_inconsistent;
        const store::ContinuityReport c = store->verify_continuity(o.chain.chain);
        auto& runs = j["block_runs"] = nlohmann::ordered_json::array();
        for (const auto& r : c.runs) runs.push_back({{"from", r.from}, {"to", r.to}});
        j["continuity_problems"] = c.problems;
        if (!c.problems.empty()) exit_code() = k_exit_inconsistent;
    }
    if (o.check) check_health(o, s, head, open_dead_letters);
    if (o.output != Output::table) {
        std::cout << (o.output == Output::json ? j.dump(2) : j.dump()) << "\n";
        return;
    }
    for (const auto& [k, v] : j.items()) {
        if (k == "last_reorg" && !v.is_null()) {
            std::cout << "last_reorg: " << v["kind"].get<std::string>() << " at "
                      << v["detected_at"].get<std::string>() << ", fork block " << v["fork_block"]
                      << ", depth " << v["depth"] << ", " << v["events_reverted"]
                      << " events reverted\n";
            continue;
        }
        std::cout << k << ": "
                  << (v.is_string() ? v.get<std::string>()
                      : v.is_null() ? "-"
                                    : v.dump())
                  << "\n";
    }
}

}  // namespace

void register_status(CLI::App& app, GlobalOptions& g) {
    auto o = std::make_shared<StatusOptions>();
    auto* cmd = app.add_subcommand(
        "status",
        "Where a chain stands: watermark, head, lag, safe/finalized heights, counts, reorgs. The "
        "head comes from the chain's RPC endpoint when one is configured; without it head and "
        "lag are null and only a warning is logged.\n"
        "Example: chainidx status --chain ethereum --output json");
    add_chain_option(cmd, o->chain);
    add_output_option(cmd, o->output);
    cmd->add_flag("--verify", o->verify,
                  "Also check that every balance equals the sum of its events, and that the "
                  "stored blocks form linked runs that lead up to the watermark or belong to a "
                  "recorded backfill, every event in a stored block (exit 4 if not)");
    auto* check =
        cmd->add_flag("--check", o->check,
                      "For monitoring: exit 5 when nothing is indexed, the head is unknown, or the "
                      "watermark lags the head by more than --max-lag blocks");
    add_number(cmd, "--max-lag", o->max_lag, "Blocks of lag --check allows (default 64)")
        ->needs(check)
        ->option_text("N");
    cmd->callback([o, &g] { run_status(*o, g); });
}

}  // namespace chainidx::cli
