#pragma once
// The run loop behind `backfill` and `scan`, as one step with named outcomes: a step commits at
// most one batch (fetched ranges, checked to link, normalized), or unwinds a reorg once, or says
// why nothing happened. `backfill` and `scan` are loops over steps that react to each outcome.
// The first block's parent is checked inside the batch's own transaction (Store::ingest); a
// mismatch is a reorg: walk back to the common ancestor, unwind, continue on the new branch.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/chain/adapter.hpp"
#include "core/config/config.hpp"
#include "core/model/errors.hpp"
#include "core/model/key.hpp"
#include "core/pipeline/chain_metrics.hpp"
#include "core/pipeline/range_run.hpp"

namespace chainidx::pipeline {

// What one step did.
enum class Step {
    committed,    // one batch committed
    nothing_new,  // nothing to commit: the range is done, or the node has nothing past the
                  // watermark (a scan then ends with --once, or sleeps with --follow)
    reorg,        // a reorg was unwound; go on from the new watermark
    chain_moved,  // the node's answers did not link: fetch again (DataError after 4 in a row)
    dead_letter,  // an item cannot be normalized: the blocks below it are committed, stop (exit 4)
    stopped,      // a stop was requested; nothing is left half-written
};
const char* to_string(Step step);

struct RunReport {
    uint64_t first_block = 0;
    uint64_t last_block = 0;  // the last block committed
    uint64_t blocks = 0;
    uint64_t batches = 0;
    uint64_t transfers = 0;    // balance-bearing items normalized (ERC-20 logs, inputs/outputs…)
    uint64_t erc721_logs = 0;  // counted, not balance events
    uint64_t malformed_logs = 0;  // Transfer topic, not an ERC-20 shape
    uint64_t events_inserted = 0;
    uint64_t events_duplicate = 0;
    uint64_t reorgs = 0;
    // scan: the watermark and the target (head less confirmations) when it last looked, so a
    // run with nothing to do can say why.
    std::optional<uint64_t> watermark;
    uint64_t target = 0;
    double seconds = 0;
    int stopped_by_signal = 0;  // 0 when the run ended on its own
};

// Where a scan stands between its steps.
struct ScanCursor {
    bool from_head = false;         // an empty chain without start_block starts at the head
    std::unique_ptr<RangeRun> run;  // the range being indexed; none between ranges
    std::string moved;              // why the last step said chain_moved
    std::optional<store::DeadLetter> dead_letter;  // where Step::dead_letter stopped
    bool started = false;                          // report.first_block is set
};

class Engine {
  public:
    // `make` gives the adapters (the engine's, the fetch workers', one per endpoint for a deep
    // reorg's confirmation): the family's own, or a fake chain in tests.
    Engine(const config::ChainConfig& chain, store::Store& store,
           chain::AdapterFactory make = chain::make_adapter);
    ~Engine();

    // Indexes [from, to]; resumes a killed run of the same range; idempotent.
    RunReport backfill(uint64_t from, uint64_t to);
    // Catches up to head - confirmations; with `follow`, keeps going until a stop signal. An
    // empty chain starts at start_block; without one it is refused (UsageError) unless
    // `from_head`, which starts at head - confirmations.
    RunReport scan(bool follow, bool from_head = false);
    // Tokens to quarantine (persisted when the run starts): their items that cannot be
    // normalized are set aside and the chain goes on, their balances marked untrusted.
    void quarantine(std::vector<Key> tokens);

    // What backfill and scan do first: checks the node, registers the chain, quarantines.
    void prepare();
    // One step of a scan: reads the heights when no range runs (starting one, or, with nothing
    // new, checking that the node still has the stored watermark block), then steps the range.
    // A finished range is followed by a fresh look at the head in the same step, so nothing_new
    // means the node has nothing past the watermark. Any outcome but committed drops the range.
    Step scan_step(ScanCursor& cursor, RunReport& report);
    // One step of a range: commits at most one batch; nothing_new when the range is done.
    Step step(RangeRun& run, RunReport& report);

  private:
    Heights read_heights();
    // Where a scan starts when nothing is indexed: start_block, the head's target with
    // from_head; a UsageError naming the ways out otherwise.
    uint64_t empty_chain_start(const Heights& heights, bool from_head) const;
    // Throws empty_chain_error() when nothing is indexed, before a scan asks the node anything.
    void refuse_empty_chain(bool from_head);
    UsageError empty_chain_error() const;
    // Nothing past the watermark: when the node has the watermark's height with enough
    // confirmations and another block there, unwind (Step::reorg).
    Step check_tip(const store::ChainState& state, const Heights& heights, ScanCursor& cursor,
                   RunReport& report);
    Step commit(RangeRun& run, store::Batch& batch, const chain::NormalizeStats& stats,
                RunReport& report);
    // unwind_reorg as a step: Step::reorg, or Step::chain_moved (with `moved` set) when the node
    // answered from two branches.
    Step unwind_step(uint64_t mismatch_at, const std::string& reason, RunReport& report,
                     std::string& moved);
    // Walks back from `mismatch_at`, unwinds to the common ancestor, returns it.
    uint64_t unwind_reorg(uint64_t mismatch_at, const std::string& reason, RunReport& report);
    // Throws DataError unless another endpoint (when the chain has several) sees the same new
    // branch for a reorg at least k_deep_reorg_blocks deep.
    void confirm_deep_reorg(uint64_t ancestor, uint64_t depth, const Hash32& new_hash);
    static constexpr uint64_t k_deep_reorg_blocks = 3;
    // Counts a chain_moved; DataError at the 4th in a row.
    void refetch_or_give_up(const std::string& moved, int& in_a_row);
    static constexpr int k_fetch_attempts = 4;
    // Records the dead letter the chain stops at and throws DataError saying what to do.
    [[noreturn]] void stop_at_dead_letter(store::DeadLetter d);

    const config::ChainConfig& m_chain;
    store::Store& m_store;
    chain::AdapterFactory m_make;
    std::unique_ptr<chain::ChainAdapter> m_adapter;
    std::vector<Key> m_quarantine_requests;
    const std::string m_source;
    ChainMetrics m_metrics;
};

}  // namespace chainidx::pipeline

namespace chainidx::pipeline {
// The node's head for `status`; nullopt (and `error` set) when the node cannot be asked.
std::optional<uint64_t> node_head(const config::ChainConfig& chain, std::string& error,
                                  const chain::AdapterFactory& make = chain::make_adapter);
}  // namespace chainidx::pipeline
