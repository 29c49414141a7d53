#include "core/pipeline/stream.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <unordered_map>

#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"
#include "core/model/hex.hpp"
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

std::string parent_mismatch_message(const store::Batch& b, const store::IngestResult& r) {
    const std::string range = std::to_string(b.from) + ".." + std::to_string(b.to);
    return "chain " + b.chain + ": block " + std::to_string(b.from) +
           " does not link to the stored block " + std::to_string(b.from - 1) + " (stored as " +
           hex::encode(r.stored_parent) + ", its parent is " +
           hex::encode(b.blocks.front().parent_hash) + "); nothing of blocks " + range +
           " was written. Run `chainidx scan` to unwind a reorg, or `chainidx rollback`";
}

}  // namespace

RunReport emit_range(const config::ChainConfig& chain, uint64_t from, uint64_t to, EmitKind kind,
                     std::ostream& out) {
    RunReport report;
    auto t0 = Clock::now();
    report.first_block = from;
    chain::make_adapter(chain)->verify();
    const chain::KeyFormat keys(chain.family.value);
    Fetcher fetcher(chain, chain::make_adapter, from, to, kind == EmitKind::raw);
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
        const Where where{source, n};
        chain::Fetched f = adapter->normalize_raw(line, where);
        for (const BlockHeader& h : f.headers)
            if (std::string why = unstorable(h); !why.empty()) ndjson::fail(where, why);
        for (const BalanceEvent& e : f.events)
            if (std::string why = unstorable(e); !why.empty()) ndjson::fail(where, why);
        require_resolved(f, source + ":" + std::to_string(n));
        require_no_rejected(f, source + ":" + std::to_string(n));
        write_events_of(chain.name, keys, f, out);
        stats += f.stats;
        if (!out) throw Error("cannot write to stdout (closed pipe?)");
    }
    return stats;
}

namespace {

// Where an event id was first seen in the window being read, to name both lines of a clash.
struct SeenId {
    uint64_t line;
    size_t batch, event;
};

}  // namespace

RunReport ingest_stream(const config::ChainConfig& chain, store::Store& store, std::istream& in,
                        const std::string& source, const IngestLimits& limits) {
    RunReport report;
    auto t0 = Clock::now();
    store.register_chain(chain.name, chain::family_name(chain.family.value), chain.chain_id.value);
    const chain::KeyFormat keys(chain.family.value);
    const store::ChainState state = store.chain_state(chain.name);
    auto at = [&](uint64_t line) { return source + ":" + std::to_string(line); };

    // A window (up to --batch-blocks blocks or max_events events) is read and checked whole
    // before any of it is written, so a bad line leaves nothing of its window behind. Its
    // contiguous runs of blocks are its batches: a gap in the input starts a new one, and the
    // watermark advances only over blocks contiguous with it.
    std::vector<store::Batch> window;
    uint64_t window_blocks = 0, window_events = 0;
    std::unordered_map<std::string, SeenId> ids;
    std::optional<BlockHeader> last;  // the previous block record of the input
    bool last_written = false;        // ... and it is already committed

    bool detached = false;  // the batch being written lies above the watermark, apart from it
    auto flush = [&] {
        for (store::Batch& batch : window) {
            batch.from = batch.blocks.front().number;
            batch.to = batch.blocks.back().number;
            // A range apart from the watermark is recorded as a (finished) backfill, so that
            // `status --verify` knows why it is stored.
            if (!batch.parent_required) {
                auto mark = store.chain_state(chain.name).watermark;
                detached = mark && batch.from > *mark + 1;
            }
            if (detached) {
                batch.job = store::BackfillJob{batch.from, batch.to};
                store.start_backfill(chain.name, batch.from, batch.to);
            }
            store::IngestResult r;
            try {
                r = store.ingest(batch);
                // An input that does not link to what is stored is refused, never unwound to.
                if (r.parent_mismatch) throw DataError(parent_mismatch_message(batch, r));
                if (detached) store.finish_backfill(chain.name, batch.from, batch.to);
            } catch (const DataError& e) {
                throw DataError(source + ": " + e.what());
            }
            report.blocks += batch.blocks.size();
            report.batches++;
            report.events_inserted += r.events_inserted;
            report.events_duplicate += r.events_duplicate;
            report.last_block = batch.to;
        }
        window.clear();
        ids.clear();
        window_blocks = window_events = 0;
        last_written = true;
    };
    auto new_batch = [&](bool continues_written) {
        store::Batch& b = window.emplace_back();
        b.chain = chain.name;
        b.source = "the input " + source;
        // Heights stamped on ingested rows are the ones stored; a stream carries no finality.
        b.safe_block = state.safe_block;
        b.finalized_block = state.finalized_block;
        // Continuing a batch of this run: its block below must still be stored at commit.
        b.parent_required = continues_written;
    };

    std::string line;
    uint64_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) continue;
        if (stop_requested()) break;
        Where where{source, n};
        ParsedRecord rec = parse_event_record(line, chain.name, keys, where);
        if (rec.is_block) {
            const BlockHeader& h = rec.header;
            bool contiguous = false;
            if (last) {
                if (h.number <= last->number)
                    throw UsageError(at(n) + ": block " + std::to_string(h.number) +
                                     " comes after block " + std::to_string(last->number) +
                                     ": blocks must come in increasing order (ingest each range "
                                     "separately, or sort the input)");
                contiguous = h.number == last->number + 1;
                if (contiguous && h.parent_hash != last->hash)
                    throw UsageError(at(n) + ": block " + std::to_string(h.number) +
                                     " does not link to block " + std::to_string(last->number) +
                                     " (its parent_hash is not that block's hash)");
                if (!contiguous)
                    spdlog::warn(
                        "{}: blocks {}..{} are not in the input: block {} starts a new "
                        "batch, and the watermark advances only over contiguous blocks",
                        at(n), last->number + 1, h.number - 1, h.number);
            } else {
                report.first_block = h.number;
            }
            if (window_blocks >= limits.max_blocks || window_events >= limits.max_events) flush();
            if (window.empty() || !contiguous) new_batch(contiguous && last_written);
            window.back().blocks.push_back(h);
            ++window_blocks;
            last = h;
            last_written = false;
            continue;
        }
        const BalanceEvent& e = rec.event;
        if (!last || window.empty() || e.block_number != last->number || e.block_hash != last->hash)
            throw UsageError(at(n) + ": event of block " + std::to_string(e.block_number) +
                             " does not follow its block record");
        store::Batch& batch = window.back();
        auto [seen, fresh] =
            ids.try_emplace(event_id_bytes(e), SeenId{n, window.size() - 1, batch.events.size()});
        if (!fresh) {
            const BalanceEvent& other = window[seen->second.batch].events[seen->second.event];
            if (other.token != e.token || other.account != e.account || other.delta != e.delta)
                throw UsageError(at(n) + ": event id " + keys.event_id(chain.name, e) +
                                 " was already given at line " + std::to_string(seen->second.line) +
                                 " with another content (account " + keys.account(other.account) +
                                 ", delta " + other.delta.to_decimal() + "; here account " +
                                 keys.account(e.account) + ", delta " + e.delta.to_decimal() +
                                 "): one id must name one balance change");
        }
        report.transfers += e.leg == 1 ? 1 : 0;
        batch.events.push_back(e);
        ++window_events;
    }
    if (in.bad()) throw Error(source + ": read error after line " + std::to_string(n));
    if (!stop_requested()) flush();
    report.stopped_by_signal = stop_signal();
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return report;
}

}  // namespace chainidx::pipeline
