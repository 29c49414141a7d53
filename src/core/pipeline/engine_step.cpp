// One step of a range: gather fetched ranges into a batch, commit it, say what happened.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/batch_append.hpp"
#include "core/pipeline/dead_letters.hpp"
#include "core/pipeline/duplicate_ids.hpp"
#include "core/pipeline/engine.hpp"
#include "core/pipeline/memory_budget.hpp"
#include "core/pipeline/range_split.hpp"
#include "core/pipeline/stop.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

// Events per committed batch: large enough that balance upserts (one per pair per batch) and
// transaction overhead are amortised, small enough to keep memory flat (~20 MB; the batch's
// bytes are capped too, k_batch_budget_bytes).
constexpr size_t k_batch_events = 60000;
// Fewer are committed when the next fetched range is not there yet.
constexpr size_t k_batch_events_early = 10000;

void record_batch_metrics(ChainMetrics& m, const store::Batch& batch,
                          const chain::NormalizeStats& stats, const store::IngestResult& r,
                          double seconds) {
    m.blocks_indexed.add(batch.to - batch.from + 1);
    m.transfer_logs.add(stats.transfers);
    m.events_inserted.add(r.events_inserted);
    m.skipped_logs.add(stats.erc721 + stats.malformed);
    m.batch_duration.observe(seconds);
    m.watermark.set(static_cast<double>(batch.to));
    m.dead_letters_quarantined.add(batch.dead_letters.size());
}

std::string mismatch_reason(uint64_t block) {
    return "parent hash mismatch at block " + std::to_string(block);
}

}  // namespace

Step Engine::step(RangeRun& run, RunReport& report) {
    if (stop_requested()) return Step::stopped;
    const uint64_t max_blocks = std::max<uint64_t>(1, m_chain.batch_blocks.value);
    store::Batch batch;
    chain::NormalizeStats stats;
    try {
        std::optional<FetchedRange> range = run.next();
        if (!range) {
            run.progress.finish();
            // Ranges are stamped as they are written; this raises the stored heights to match.
            m_store.promote_finality(m_chain.name, run.heights.safe, run.heights.finalized);
            return Step::nothing_new;
        }
        if (stop_requested()) return Step::stopped;
        check_links(*range, m_chain.name);
        batch.chain = m_chain.name;
        batch.source = "the node";
        // What this run saw below must still be there when the batch commits: a rollback in
        // between makes the commit fail rather than leave a hole.
        batch.parent_required = run.parent_required;
        batch.safe_block = run.heights.safe;
        batch.finalized_block = run.heights.finalized;
        batch.job = run.job;
        // Fetched ranges stay small (bounded responses); a batch gathers several, so each
        // (token, account) is upserted once per many blocks.
        size_t batch_bytes = 0;
        for (;;) {
            const size_t room = k_batch_events - std::min(k_batch_events, batch.events.size());
            if (range->events.size() > room) {
                // One range alone can hold more than a batch (a span of busy Solana slots): cut
                // it at a block boundary and keep the rest for the next batch.
                const bool first_fits = range->events[room].block_number > range->from;
                if (!first_fits && !batch.blocks.empty()) {
                    run.hold(std::move(*range));
                    break;
                }
                const uint64_t last = last_block_within(*range, room);
                if (last < range->to) {
                    FetchedRange front = split_front(*range, last);
                    run.hold(std::move(*range));
                    append(batch, front);
                    stats += front.stats;
                    break;
                }
            }
            batch_bytes += approx_bytes(*range);
            append(batch, *range);
            stats += range->stats;
            if (batch.events.size() >= k_batch_events || batch_bytes >= k_batch_budget_bytes) break;
            // The writer would wait for the node: commit what is here meanwhile (a batch that
            // is large enough to amortise its transaction), so writing overlaps fetching.
            if (batch.events.size() >= k_batch_events_early && !run.ready()) break;
            range = run.next();
            if (!range) break;
            if (batch.blocks.size() + range->headers.size() > max_blocks) {
                run.hold(std::move(*range));
                break;
            }
            check_links(*range, m_chain.name, &batch.blocks.back());
        }
    } catch (const ChainMoved& e) {
        run.moved = e.what();
        return Step::chain_moved;
    }
    return commit(run, batch, stats, report);
}

Step Engine::commit(RangeRun& run, store::Batch& batch, const chain::NormalizeStats& stats,
                    RunReport& report) {
    const auto ingest_start = Clock::now();
    const chain::KeyFormat keys(m_chain.family.value);
    if (size_t copies = set_aside_duplicate_ids(batch, keys))
        spdlog::warn("{}: blocks {}..{}: the node sent {} items twice; each is indexed once",
                     m_chain.name, batch.from, batch.to, copies);
    // Ingest checks the first block's parent in its transaction. Before it, where the engine
    // has nothing to commit (a dead letter in the first block) or reads the store for the batch
    // (a family's complete_batch), it looks at the link itself: on a branch being reorganised
    // away those would be a wrong dead letter or a missing output, not a reorg.
    const uint64_t first = batch.from;
    const Hash32 first_parent = batch.blocks.front().parent_hash;
    auto parent_differs = [&] {
        if (first == 0) return false;
        const std::optional<Hash32> below = m_store.block_hash(m_chain.name, first - 1);
        return below && *below != first_parent;
    };
    const std::optional<store::DeadLetter> stop = settle_dead_letters(m_store, batch, m_source);
    if ((batch.blocks.empty() || m_adapter->batch_reads_store(batch)) && parent_differs())
        return unwind_step(first - 1, mismatch_reason(first), report, run.moved);
    if (batch.blocks.empty()) {
        run.dead_letter = *stop;
        return Step::dead_letter;
    }
    m_adapter->complete_batch(m_store, batch);
    store::IngestResult r;
    try {
        r = m_store.ingest(batch);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("chain " + m_chain.name + ": committing blocks " + std::to_string(batch.from) +
                    ".." + std::to_string(batch.to) +
                    " failed, nothing of them was written: " + e.what());
    }
    if (r.parent_mismatch)  // the stored block below is another branch's: a reorg
        return unwind_step(batch.from - 1, mismatch_reason(batch.from), report, run.moved);
    report.blocks += batch.to - batch.from + 1;
    report.batches += 1;
    report.transfers += stats.transfers;
    report.erc721_logs += stats.erc721;
    report.malformed_logs += stats.malformed;
    report.events_inserted += r.events_inserted;
    report.events_duplicate += r.events_duplicate;
    report.last_block = batch.to;
    const double ingest_seconds =
        std::chrono::duration<double>(Clock::now() - ingest_start).count();
    record_batch_metrics(m_metrics, batch, stats, r, ingest_seconds);
    // Where the time goes: waiting for the node (fetch, every wait of this batch) vs writing.
    spdlog::debug("{}: blocks {}..{}: {} events, waited {:.3f}s for the fetch, ingest {:.3f}s",
                  m_chain.name, batch.from, batch.to, batch.events.size(), run.waited,
                  ingest_seconds);
    run.waited = 0;
    if (!batch.dead_letters.empty())
        spdlog::warn(
            "{}: blocks {}..{}: {} items of quarantined tokens cannot be read; set aside as dead "
            "letters (chainidx dlq list)",
            m_chain.name, batch.from, batch.to, batch.dead_letters.size());
    run.progress.update(batch.to, report.transfers);
    run.committed(batch.to);
    if (stop) {
        run.dead_letter = *stop;
        return Step::dead_letter;
    }
    return Step::committed;
}

}  // namespace chainidx::pipeline
