#pragma once
// One range being indexed (a backfill's job, or a scan's watermark to target), kept across the
// engine's steps so that nothing fetched is fetched twice: the fetch workers working ahead, the
// range fetched for the next batch, and whether this run wrote the block below the next batch.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/chain/adapter.hpp"
#include "core/pipeline/fetcher.hpp"
#include "core/pipeline/progress.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

// The node's heights as the engine uses them (tags never above the head).
struct Heights {
    uint64_t head = 0;
    uint64_t target = 0;  // head less confirmations: where a scan stops
    uint64_t safe = 0;
    uint64_t finalized = 0;
};

class RangeRun {
  public:
    // `parent_required`: block from - 1 was seen stored, so it must still be there at commit.
    RangeRun(const config::ChainConfig& chain, chain::AdapterFactory make, uint64_t from,
             uint64_t to, const Heights& heights, std::optional<store::BackfillJob> job,
             bool parent_required);
    RangeRun(const RangeRun&) = delete;
    RangeRun& operator=(const RangeRun&) = delete;

    // The next fetched range in order (the held one first); nullopt when the range is done.
    // Time spent waiting for the fetch workers is added to `waited`.
    std::optional<FetchedRange> next();
    // Whether next() would answer without waiting for the node.
    bool ready();
    // Fetched, but for the next batch.
    void hold(FetchedRange range);
    // The node changed the chain under the fetch: drop what was fetched, fetch again from the
    // first block not committed.
    void refetch();
    // A batch up to `last` was committed.
    void committed(uint64_t last);

    uint64_t next_block() const { return m_next; }
    uint64_t to() const { return m_to; }

    const Heights heights;
    const std::optional<store::BackfillJob> job;
    bool parent_required;
    double waited = 0;  // seconds waited for the fetch since the last commit
    Progress progress;
    // Why the last step ended as it did: the dead letter the chain stops at (Step::dead_letter),
    // what did not link (Step::chain_moved).
    std::optional<store::DeadLetter> dead_letter;
    std::string moved;

  private:
    const config::ChainConfig& m_chain;
    chain::AdapterFactory m_make;
    uint64_t m_next, m_to;
    std::unique_ptr<Fetcher> m_fetcher;
    std::optional<FetchedRange> m_held;
};

}  // namespace chainidx::pipeline
