#include "core/pipeline/stream.hpp"

#include <chrono>

#include "core/chain/evm/evm_client.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/fetcher.hpp"
#include "core/pipeline/ndjson.hpp"
#include "core/pipeline/stop.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

// Splits a fetched range into blocks, each with its logs (logs arrive in block order).
std::vector<RawBlock> split_by_block(FetchedRange& r) {
    std::vector<RawBlock> blocks(r.headers.size());
    for (size_t i = 0; i < r.headers.size(); ++i) blocks[i].header = r.headers[i];
    for (RawLog& log : r.logs) blocks[log.block_number - r.from].logs.push_back(std::move(log));
    return blocks;
}

void write_events_of(const std::string& chain, const RawBlock& b, std::ostream& out,
                     evm::NormalizeStats& stats) {
    out << block_line(chain, b.header) << '\n';
    std::vector<BalanceEvent> events;
    stats += evm::normalize_logs(b.logs, events);
    for (const BalanceEvent& e : events) out << event_line(chain, e) << '\n';
}

}  // namespace

RunReport emit_range(const config::ChainConfig& chain, uint64_t from, uint64_t to, EmitKind kind,
                     std::ostream& out) {
    RunReport report;
    auto t0 = Clock::now();
    report.first_block = from;
    evm::EvmClient client(chain);
    client.verify_chain_id();
    Fetcher fetcher(chain, from, to);
    BlockHeader last;
    while (auto range = fetcher.next()) {
        if (stop_requested()) break;
        try {
            check_links(*range, chain.name, range->from > from ? &last : nullptr);
        } catch (const ChainMoved& e) {
            throw DataError(std::string(e.what()) +
                            " (the chain moved during the fetch); run it again");
        }
        last = range->headers.back();
        for (const RawBlock& b : split_by_block(*range)) {
            evm::NormalizeStats stats;
            if (kind == EmitKind::raw) {
                out << raw_block_line(chain.name, b) << '\n';
                stats.transfers += b.logs.size();  // Transfer-topic logs, not yet classified
            } else
                write_events_of(chain.name, b, out, stats);
            report.transfers += stats.transfers;
            report.erc721_logs += stats.erc721;
            report.malformed_logs += stats.malformed;
            report.blocks++;
            report.last_block = b.header.number;
        }
        if (!out) throw Error("cannot write to stdout (closed pipe?)");
    }
    out.flush();
    report.stopped_by_signal = stop_signal();
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return report;
}

evm::NormalizeStats normalize_stream(const std::string& chain, std::istream& in,
                                     const std::string& source, std::ostream& out) {
    evm::NormalizeStats stats;
    std::string line;
    for (uint64_t n = 1; std::getline(in, line); ++n) {
        if (line.empty()) continue;
        RawBlock b = parse_raw_block(line, chain, {source, n});
        write_events_of(chain, b, out, stats);
        if (!out) throw Error("cannot write to stdout (closed pipe?)");
    }
    return stats;
}

RunReport ingest_stream(const config::ChainConfig& chain, store::Store& store, std::istream& in,
                        const std::string& source, const IngestLimits& limits) {
    RunReport report;
    auto t0 = Clock::now();
    store.register_chain(chain.name, chain.family.value, chain.chain_id.value);
    store::ChainState state = store.chain_state(chain.name);
    store::Batch batch;
    batch.chain = chain.name;
    // Heights stamped on ingested rows are the ones stored; a stream carries no finality.
    batch.safe_block = state.safe_block;
    batch.finalized_block = state.finalized_block;

    auto flush = [&] {
        if (batch.blocks.empty()) return;
        batch.from = batch.blocks.front().number;
        batch.to = batch.blocks.back().number;
        if (batch.from > 0) {
            auto below = store.block_hash(chain.name, batch.from - 1);
            if (below && *below != batch.blocks.front().parent_hash)
                throw DataError(source + ": block " + std::to_string(batch.from) +
                                " does not link to the stored block " +
                                std::to_string(batch.from - 1) +
                                " (a different branch); roll back or re-fetch");
        }
        store::IngestResult r = store.ingest(batch);
        report.blocks += batch.blocks.size();
        report.batches++;
        report.events_inserted += r.events_inserted;
        report.events_duplicate += r.events_duplicate;
        report.last_block = batch.to;
        batch.blocks.clear();
        batch.events.clear();
    };

    std::string line;
    uint64_t n = 0;
    bool first = true;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) continue;
        if (stop_requested()) break;
        Where where{source, n};
        ParsedRecord rec = parse_event_record(line, chain.name, where);
        if (rec.is_block) {
            if (!batch.blocks.empty()) {
                const BlockHeader& prev = batch.blocks.back();
                bool contiguous = rec.header.number == prev.number + 1;
                if (contiguous && rec.header.parent_hash != prev.hash)
                    throw UsageError(source + ":" + std::to_string(n) + ": block " +
                                     std::to_string(rec.header.number) +
                                     " does not link to block " + std::to_string(prev.number));
                if (!contiguous || batch.blocks.size() >= limits.max_blocks ||
                    batch.events.size() >= limits.max_events)
                    flush();
            }
            if (first) report.first_block = rec.header.number;
            first = false;
            batch.blocks.push_back(rec.header);
            continue;
        }
        if (batch.blocks.empty() || rec.event.block_number != batch.blocks.back().number ||
            rec.event.block_hash != batch.blocks.back().hash)
            throw UsageError(source + ":" + std::to_string(n) + ": event of block " +
                             std::to_string(rec.event.block_number) +
                             " does not follow its block record");
        report.transfers += rec.event.leg == 1 ? 1 : 0;
        batch.events.push_back(rec.event);
    }
    if (in.bad()) throw Error(source + ": read error after line " + std::to_string(n));
    if (!stop_requested()) flush();
    report.stopped_by_signal = stop_signal();
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return report;
}

}  // namespace chainidx::pipeline
