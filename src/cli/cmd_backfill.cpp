// chainidx backfill --chain NAME --from A --to B
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/engine.hpp"
#include "core/pipeline/stream.hpp"

namespace chainidx::cli {

namespace {

struct BackfillOptions {
    ChainFlags chain;
    uint64_t from = 0;
    uint64_t to = 0;
    std::string emit;  // "", "raw" or "events"
};

void run_backfill(const BackfillOptions& o, const GlobalOptions& g) {
    if (o.from > o.to)
        throw UsageError("--from " + std::to_string(o.from) + " is above --to " +
                         std::to_string(o.to));
    auto config = load_config(g, &o.chain);
    const auto& chain = config.chain(o.chain.chain);
    if (!o.emit.empty()) {
        // Pipe mode: NDJSON on stdout, no database.
        std::ios::sync_with_stdio(false);
        auto kind = o.emit == "raw" ? pipeline::EmitKind::raw : pipeline::EmitKind::events;
        auto r = pipeline::emit_range(chain, o.from, o.to, kind, std::cout);
        spdlog::info("backfill {} --emit {}: {} blocks, {} {}, {:.2f}s", chain.name, o.emit,
                     r.blocks, r.transfers, chain::family_info(chain.family.value).item_noun,
                     r.seconds);
        exit_code() = exit_code_for_signal(r.stopped_by_signal);
        return;
    }
    auto store = open_store(config, "backfill " + chain.name);
    pipeline::Engine engine(chain, *store);
    engine.quarantine(quarantine_tokens(chain, o.chain));
    auto r = engine.backfill(o.from, o.to);
    if (r.blocks == 0) {
        // A stop before the first batch is said below.
        if (!r.stopped_by_signal)
            spdlog::info(
                "backfill {}: nothing to do: the backfill of blocks {}..{} is already finished "
                "(`chainidx replay` re-derives a range)",
                chain.name, o.from, o.to);
    } else {
        const char* items = chain::family_info(chain.family.value).item_noun;
        spdlog::info(
            "backfill {}: blocks {}..{}: {} blocks in {} batches, {} {}, {} events new, {} already "
            "stored, {} malformed items{}, {:.2f}s ({:.0f} {}/s)",
            chain.name, o.from, r.last_block, r.blocks, r.batches, r.transfers, items,
            r.events_inserted, r.events_duplicate, r.malformed_logs,
            r.erc721_logs ? ", " + std::to_string(r.erc721_logs) + " ERC-721 Transfer logs skipped"
                          : std::string(),
            r.seconds, r.seconds > 0 ? static_cast<double>(r.transfers) / r.seconds : 0.0, items);
    }
    if (r.stopped_by_signal) {
        if (r.blocks == 0)
            spdlog::warn("backfill {}: stopped by signal {} before any block was committed",
                         chain.name, r.stopped_by_signal);
        else
            spdlog::warn("backfill {}: stopped by signal {} after block {}; rerun to continue",
                         chain.name, r.stopped_by_signal, r.last_block);
        exit_code() = exit_code_for_signal(r.stopped_by_signal);
    }
}

}  // namespace

void register_backfill(CLI::App& app, GlobalOptions& g) {
    auto o = std::make_shared<BackfillOptions>();
    auto* cmd = app.add_subcommand(
        "backfill",
        "Index a historic block range. Idempotent and resumable: rerun after a crash and it "
        "continues where it stopped; it never moves the live watermark backwards.\n"
        "Example: chainidx backfill --chain ethereum --from 19000000 --to 19010000");
    add_chain_option(cmd, o->chain);
    add_quarantine_option(cmd, o->chain);
    add_number(cmd, "--from", o->from, "First block", k_block_number)
        ->required()
        ->option_text("BLOCK");
    add_number(cmd, "--to", o->to, "Last block (inclusive)", k_block_number)
        ->required()
        ->option_text("BLOCK");
    add_number(cmd, "--batch-blocks", o->chain.batch_blocks,
               "Largest block range fetched and committed in one transaction", {.min = 1})
        ->option_text("N");
    cmd->add_option("--emit", o->emit,
                    "Write NDJSON to stdout instead of the database: raw (blocks and logs, for "
                    "`normalize`) or events (for `ingest`)")
        ->check(CLI::IsMember({"raw", "events"}))
        ->option_text("KIND");
    cmd->callback([o, &g] { run_backfill(*o, g); });
}

}  // namespace chainidx::cli
