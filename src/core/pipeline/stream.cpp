#include "core/pipeline/stream.hpp"

#include <chrono>

#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/fetcher.hpp"
#include "core/pipeline/ndjson.hpp"
#include "core/pipeline/stop.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

// One span as event records: each block line, then that block's events (events are in order).
void write_events_of(const std::string& chain, const chain::KeyFormat& keys,
                     const chain::Fetched& f, std::ostream& out) {
    size_t next = 0;
    for (const BlockHeader& h : f.headers) {
        out << block_line(chain, keys, h) << '\n';
        for (; next < f.events.size() && f.events[next].block_number == h.number; ++next)
            out << event_line(chain, keys, f.events[next]) << '\n';
    }
}

void require_resolved(const chain::Fetched& f, const std::string& where) {
    for (const Spend& s : f.spent)
        if (s.unresolved_event)
            throw DataError(where + ": block " + std::to_string(s.block) +
                            " spends an output the node did not describe (no getblock verbosity "
                            "3); its debit needs the UTXO table, so use backfill instead of a "
                            "pipe for this node");
}

// A pipe has no dead-letter queue: an item that cannot be normalized ends it.
void require_no_rejected(const chain::Fetched& f, const std::string& where) {
    if (f.rejected.empty()) return;
    throw DataError(where + ": " + f.rejected.front().error +
                    "; a pipe cannot set it aside: index the range with backfill, which stores "
                    "it as a dead letter (chainidx dlq)");
}

}  // namespace

RunReport emit_range(const config::ChainConfig& chain, uint64_t from, uint64_t to, EmitKind kind,
                     std::ostream& out) {
    RunReport report;
    auto t0 = Clock::now();
    report.first_block = from;
    chain::make_adapter(chain)->verify();
    const chain::KeyFormat keys(chain.family.value);
    Fetcher fetcher(chain, from, to, kind == EmitKind::raw);
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
        if (kind == EmitKind::raw) {
            for (const std::string& line : range->raw) out << line << '\n';
        } else {
            require_resolved(*range, chain.name);
            require_no_rejected(*range, chain.name);
            write_events_of(chain.name, keys, *range, out);
        }
        report.transfers += range->stats.transfers;
        report.erc721_logs += range->stats.erc721;
        report.malformed_logs += range->stats.malformed;
        report.blocks += range->headers.size();
        report.last_block = range->to;
        if (!out) throw Error("cannot write to stdout (closed pipe?)");
    }
    out.flush();
    report.stopped_by_signal = stop_signal();
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return report;
}

chain::NormalizeStats normalize_stream(const config::ChainConfig& chain, std::istream& in,
                                       const std::string& source, std::ostream& out) {
    auto adapter = chain::make_adapter(chain);
    const chain::KeyFormat keys(chain.family.value);
    chain::NormalizeStats stats;
    std::string line;
    for (uint64_t n = 1; std::getline(in, line); ++n) {
        if (line.empty()) continue;
        chain::Fetched f = adapter->normalize_raw(line, Where{source, n});
        require_resolved(f, source + ":" + std::to_string(n));
        require_no_rejected(f, source + ":" + std::to_string(n));
        write_events_of(chain.name, keys, f, out);
        stats += f.stats;
        if (!out) throw Error("cannot write to stdout (closed pipe?)");
    }
    return stats;
}

RunReport ingest_stream(const config::ChainConfig& chain, store::Store& store, std::istream& in,
                        const std::string& source, const IngestLimits& limits) {
    RunReport report;
    auto t0 = Clock::now();
    store.register_chain(chain.name, chain.family.value, chain.chain_id.value);
    const chain::KeyFormat keys(chain.family.value);
    store::ChainState state = store.chain_state(chain.name);
    store::Batch batch;
    batch.chain = chain.name;
    batch.source = "the input " + source;
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
        ParsedRecord rec = parse_event_record(line, chain.name, keys, where);
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
