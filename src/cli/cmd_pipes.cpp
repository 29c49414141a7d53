// The pipe stages: chainidx normalize (raw blocks -> events) and chainidx ingest (events -> db).
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/stream.hpp"

namespace chainidx::cli {

namespace {

struct PipeOptions {
    ChainFlags chain;
    std::string input;  // empty or "-": stdin
};

// Runs `fn(stream, source_name)` on the input file or stdin.
template <class Fn>
void with_input(const std::string& path, Fn&& fn) {
    if (path.empty() || path == "-") {
        std::ios::sync_with_stdio(false);
        fn(std::cin, std::string("stdin"));
        return;
    }
    std::ifstream in(path);
    if (!in) throw UsageError("--input " + path + ": cannot open the file");
    fn(in, path);
}

void run_normalize(const PipeOptions& o, const GlobalOptions& g) {
    std::ios::sync_with_stdio(false);
    auto config = load_config(g, &o.chain);
    const auto& chain = config.chain_without_rpc(o.chain.chain);
    with_input(o.input, [&](std::istream& in, const std::string& source) {
        auto stats = pipeline::normalize_stream(chain, in, source, std::cout);
        std::cout.flush();
        spdlog::debug("normalize {}: {} balance items, {} ERC-721, {} malformed", o.chain.chain,
                      stats.transfers, stats.erc721, stats.malformed);
    });
}

void run_ingest(const PipeOptions& o, const GlobalOptions& g) {
    auto config = load_config(g, &o.chain);
    const auto& chain = config.chain_without_rpc(o.chain.chain);
    auto store = open_store(config, "ingest " + chain.name);
    pipeline::IngestLimits limits;
    limits.max_blocks = chain.batch_blocks.value;
    with_input(o.input, [&](std::istream& in, const std::string& source) {
        auto r = pipeline::ingest_stream(chain, *store, in, source, limits);
        spdlog::info(
            "ingest {}: {} blocks in {} batches, {} events new, {} already stored, "
            "{:.2f}s",
            chain.name, r.blocks, r.batches, r.events_inserted, r.events_duplicate, r.seconds);
        exit_code() = exit_code_for_signal(r.stopped_by_signal);
    });
}

}  // namespace

void register_pipes(CLI::App& app, GlobalOptions& g) {
    auto n = std::make_shared<PipeOptions>();
    auto* normalize = app.add_subcommand(
        "normalize",
        "Turn raw blocks (NDJSON from `backfill --emit raw`) into balance events (NDJSON). Pure: "
        "no database, no network; the same input always gives the same bytes.\n"
        "Example: chainidx normalize --chain base < blocks.ndjson > events.ndjson");
    check_chain_name(
        normalize->add_option("--chain", n->chain.chain, "Chain the records must belong to"))
        ->required()
        ->option_text("NAME");
    normalize->add_option("--input,-i", n->input, "Read this file instead of stdin")
        ->option_text("FILE");
    normalize->callback([n, &g] { run_normalize(*n, g); });

    auto i = std::make_shared<PipeOptions>();
    auto* ingest = app.add_subcommand(
        "ingest",
        "Write balance events (NDJSON from `normalize` or `backfill --emit events`) into "
        "PostgreSQL through the same atomic batches as backfill. Idempotent.\n"
        "Example: chainidx ingest --chain base < events.ndjson");
    check_chain_name(
        ingest->add_option("--chain", i->chain.chain, "Chain the records must belong to"))
        ->required()
        ->option_text("NAME");
    ingest->add_option("--input,-i", i->input, "Read this file instead of stdin")
        ->option_text("FILE");
    add_number(ingest, "--batch-blocks", i->chain.batch_blocks,
               "Most blocks committed in one transaction", {.min = 1})
        ->option_text("N");
    ingest->callback([i, &g] { run_ingest(*i, g); });
}

}  // namespace chainidx::cli
