// chainidx dlq list|show|retry|discard — work off the items that could not be normalized.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"
#include "core/chain/adapter.hpp"
#include "core/model/errors.hpp"

namespace chainidx::cli {

namespace {

struct DlqOptions {
    std::string chain;  // list: empty for every chain
    std::string status = "open";
    int64_t id = 0;
    std::string reason;
    Output output = Output::table;
};

nlohmann::ordered_json row_of(const store::DeadLetter& d, const chain::KeyFormat& keys,
                              bool with_payload) {
    nlohmann::ordered_json j{{"id", d.id},
                             {"chain", d.chain},
                             {"block", d.block_number},
                             {"tx", d.tx.empty() ? "" : keys.tx(d.tx)},
                             {"index", d.index},
                             {"token", keys.token(d.token)},
                             {"status", d.status},
                             {"error", d.error},
                             {"created_at", d.created_at}};
    if (with_payload) {
        j["block_hash"] = keys.block_hash(d.block_hash);
        j["source"] = d.source;
        j["resolved_at"] = d.resolved_at.empty() ? nlohmann::ordered_json()
                                                 : nlohmann::ordered_json(d.resolved_at);
        j["payload"] = d.payload;
    }
    return j;
}

store::DeadLetter find(store::Store& store, int64_t id) {
    auto d = store.dead_letter(id);
    if (!d)
        throw UsageError("there is no dead letter #" + std::to_string(id) +
                         " (chainidx dlq list --status all lists them)");
    return *d;
}

void run_list(const DlqOptions& o, const GlobalOptions& g) {
    auto config = load_config(g);
    auto store = open_store(config, "dlq list");
    if (!o.chain.empty()) require_known_chain(config, *store, o.chain);
    std::vector<nlohmann::ordered_json> rows;
    for (const auto& d : store->dead_letters(o.chain, o.status))
        rows.push_back(row_of(d, key_format(config, store.get(), d.chain), false));
    print_rows(o.output,
               {"id", "chain", "block", "tx", "index", "token", "status", "error", "created_at"},
               rows);
}

void run_show(const DlqOptions& o, const GlobalOptions& g) {
    auto config = load_config(g);
    auto store = open_store(config, "dlq show");
    const store::DeadLetter d = find(*store, o.id);
    auto j = row_of(d, key_format(config, store.get(), d.chain), true);
    if (o.output == Output::table) {
        for (const auto& [k, v] : j.items())
            std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
    } else {
        std::cout << (o.output == Output::json ? j.dump(2) : j.dump()) << "\n";
    }
}

// Fetches the item's block again: if it normalizes now (a fixed node, a newer chainidx), the
// dead letter is resolved and the next run indexes the block.
void run_retry(const DlqOptions& o, const GlobalOptions& g) {
    auto config = load_config(g);
    auto store = open_store(config, "dlq retry");
    const store::DeadLetter d = find(*store, o.id);
    if (!config.chains.count(d.chain))
        throw UsageError("dead letter #" + std::to_string(d.id) + " is of chain " + d.chain +
                         ", which the config does not name");
    const auto& chain = config.chain(d.chain);
    auto adapter = chain::make_adapter(chain);
    adapter->verify();
    chain::Fetched f = adapter->fetch(d.block_number, d.block_number, false);
    for (const chain::Rejected& r : f.rejected)
        if (r.tx == d.tx && r.index == d.index) {
            std::cout << "dead letter #" << d.id << " still cannot be normalized: " << r.error
                      << "\n";
            exit_code() = 4;
            return;
        }
    store->set_dead_letter_status(d.id, "resolved");
    std::cout << "dead letter #" << d.id << " resolved: block " << d.block_number
              << " normalizes now; the next scan or backfill indexes it\n";
}

void run_discard(const DlqOptions& o, const GlobalOptions& g) {
    auto config = load_config(g);
    auto store = open_store(config, "dlq discard");
    const store::DeadLetter d = find(*store, o.id);
    store->set_dead_letter_status(d.id, "discarded");
    spdlog::warn(
        "dlq: dead letter #{} of {} block {} discarded{}{}; the chain skips it from now "
        "on, so balances it touches may be wrong",
        d.id, d.chain, d.block_number, o.reason.empty() ? "" : ": ", o.reason);
    std::cout << "dead letter #" << d.id << " discarded\n";
}

}  // namespace

void register_dlq(CLI::App& app, GlobalOptions& g) {
    auto o = std::make_shared<DlqOptions>();
    auto* dlq = app.add_subcommand(
        "dlq",
        "Dead letters: items that could not be normalized, kept with their raw payload. By "
        "default a chain stops at one (exit 4); list, inspect, retry or discard them here, or "
        "run scan/backfill with --quarantine-token to go on without trusting that token.\n"
        "Example: chainidx dlq list --chain ethereum");
    dlq->require_subcommand(1);

    auto* list = dlq->add_subcommand("list", "List dead letters (default: the open ones)");
    check_chain_name(list->add_option("--chain", o->chain, "Only this chain"))->option_text("NAME");
    list->add_option("--status", o->status,
                     "open (default), quarantined, resolved, discarded or all")
        ->check(CLI::IsMember({"open", "quarantined", "resolved", "discarded", "all"}))
        ->option_text("STATUS");
    add_output_option(list, o->output);
    list->callback([o, &g] { run_list(*o, g); });

    auto* show = dlq->add_subcommand("show", "Show one dead letter with its raw payload");
    add_number(show, "id", o->id, "Its id (from dlq list)")->required();
    add_output_option(show, o->output);
    show->callback([o, &g] { run_show(*o, g); });

    auto* retry = dlq->add_subcommand(
        "retry",
        "Fetch its block again; if the item normalizes now, mark it resolved (exit 0), else "
        "print why not (exit 4)");
    add_number(retry, "id", o->id, "Its id (from dlq list)")->required();
    retry->callback([o, &g] { run_retry(*o, g); });

    auto* discard = dlq->add_subcommand(
        "discard", "Skip the item from now on: the chain goes on past it (its effect is lost)");
    add_number(discard, "id", o->id, "Its id (from dlq list)")->required();
    discard->add_option("--reason", o->reason, "Why, for the log")->option_text("TEXT");
    discard->callback([o, &g] { run_discard(*o, g); });
}

}  // namespace chainidx::cli
