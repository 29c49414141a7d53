// chainidx rollback --chain NAME --to-block N [--dry-run] [--yes] [--force] [--reason TEXT]
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>

#include "cli/common.hpp"
#include "core/model/errors.hpp"

namespace chainidx::cli {

namespace {

struct RollbackOptions {
    ChainFlags chain;
    uint64_t to_block = 0;
    bool dry_run = false;
    bool yes = false;
    bool force = false;
    std::string reason;
    Output output = Output::table;
};

std::string who() {
    const char* user = std::getenv("USER");
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    return std::string(user ? user : "?") + "@" + host;
}

void print_summary(const RollbackOptions& o, const store::UnwindResult& r, bool applied) {
    nlohmann::ordered_json j{{"chain", o.chain.chain},
                             {"to_block", o.to_block},
                             {"old_watermark", r.old_head},
                             {"blocks_removed", r.blocks_removed},
                             {"events_reverted", r.events_reverted},
                             {"balances_changed", r.balances_changed},
                             {"applied", applied}};
    if (o.output == Output::table) {
        std::cout << (applied ? "rolled back " : "would roll back ") << o.chain.chain
                  << " from block " << r.old_head << " to " << o.to_block << ": "
                  << r.blocks_removed << " blocks, " << r.events_reverted << " events, "
                  << r.balances_changed << " balances\n";
        return;
    }
    std::cout << (o.output == Output::json ? j.dump(2) : j.dump()) << "\n";
}

void run_rollback(const RollbackOptions& o, const GlobalOptions& g) {
    auto config = load_config(g, &o.chain);
    auto store = open_store(config, "rollback " + o.chain.chain);
    store::UnwindRequest req;
    req.chain = o.chain.chain;
    req.to_block = o.to_block;
    req.kind = "rollback";
    req.reason = (o.reason.empty() ? std::string("(no reason given)") : o.reason) + "; by " +
                 who() + " with chainidx rollback";
    req.allow_below_finalized = o.force;
    req.dry_run = true;
    store::UnwindResult preview = store->unwind(req);
    if (o.dry_run) {
        print_summary(o, preview, false);
        return;
    }
    if (!o.yes) {
        if (!isatty(STDIN_FILENO))
            throw UsageError(
                "rollback changes the database: pass --yes to confirm when stdin "
                "is not a terminal (or --dry-run to see what it would do)");
        std::cerr << "Roll back " << o.chain.chain << " from block " << preview.old_head << " to "
                  << o.to_block << ", reverting " << preview.events_reverted << " events in "
                  << preview.blocks_removed << " blocks and changing " << preview.balances_changed
                  << " balances? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") {
            std::cerr << "rollback: nothing changed\n";
            exit_code() = k_exit_failure;
            return;
        }
    }
    req.dry_run = false;
    store::UnwindResult r = store->unwind(req);
    spdlog::info(
        "rollback {}: watermark {} -> {}, {} events reverted; `chainidx scan --once` "
        "re-indexes from block {}",
        o.chain.chain, r.old_head, o.to_block, r.events_reverted, o.to_block + 1);
    if (const int64_t pruned = store->utxo_spent_pruned_to(o.chain.chain);
        static_cast<int64_t>(o.to_block) < pruned)
        spdlog::warn(
            "rollback {}: the UTXO table no longer holds the outputs spent in blocks {}..{} (they "
            "were deleted once final), so until those blocks are indexed again reconcile cannot "
            "use it there, and they must be indexed from a node that serves getblock with "
            "verbosity 3",
            o.chain.chain, o.to_block + 1, pruned);
    print_summary(o, r, true);
}

}  // namespace

void register_rollback(CLI::App& app, GlobalOptions& g) {
    auto o = std::make_shared<RollbackOptions>();
    auto* cmd = app.add_subcommand(
        "rollback",
        "Undo everything indexed above a block: events (their balance deltas reversed), block "
        "hashes, the watermark. Shows a summary and asks first on a terminal; recorded with "
        "who, when and why. Refuses to cross the finalized height without --force (exit 4). "
        "Exit 1 when the prompt is answered no; 2 without --yes when stdin is not a terminal.\n"
        "Example: chainidx rollback --chain ethereum --to-block 19000000 --reason 'bad RPC' "
        "--yes");
    add_chain_option(cmd, o->chain, false);
    add_number(cmd, "--to-block", o->to_block, "Keep blocks up to and including this one",
               k_block_number)
        ->required()
        ->option_text("N");
    cmd->add_flag("--dry-run", o->dry_run, "Only print what would be undone");
    cmd->add_flag("--yes,-y", o->yes, "Do not ask for confirmation (scripts)");
    cmd->add_flag("--force", o->force, "Allow rolling back below the finalized height");
    cmd->add_option("--reason", o->reason, "Why, recorded with the rollback")->option_text("TEXT");
    add_output_option(cmd, o->output);
    cmd->callback([o, &g] { run_rollback(*o, g); });
}

}  // namespace chainidx::cli
