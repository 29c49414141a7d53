#pragma once
// The run loop behind `backfill` and `scan`: fetch ranges (Fetcher), check that
// they link to what is stored, normalize, and commit each range as one batch. A
// parent-hash mismatch is a reorg: walk back to the common ancestor, unwind,
// continue on the new branch.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <vector>

#include "core/chain/adapter.hpp"
#include "core/config/config.hpp"
#include "core/model/key.hpp"

namespace chainidx::store {
class Store;
struct DeadLetter;
} // namespace chainidx::store

namespace chainidx::pipeline {

struct RunReport {
  uint64_t first_block = 0;
  uint64_t last_block = 0; // the last block committed
  uint64_t blocks = 0;
  uint64_t batches = 0;
  uint64_t transfers =
      0; // balance-bearing items normalized (ERC-20 logs, inputs/outputs…)
  uint64_t erc721_logs = 0;    // counted, not balance events
  uint64_t malformed_logs = 0; // Transfer topic, not an ERC-20 shape
  uint64_t events_inserted = 0;
  uint64_t events_duplicate = 0;
  uint64_t reorgs = 0;
  // scan: the watermark and the target (head less confirmations) when it last
  // looked, so a run with nothing to do can say why.
  std::optional<uint64_t> watermark;
  uint64_t target = 0;
  double seconds = 0;
  int stopped_by_signal = 0; // 0 when the run ended on its own
};

class Engine {
public:
  // `make` gives the adapters (the engine's, the fetch thread's, one per
  // endpoint for a deep reorg's confirmation): the family's own, or a fake
  // chain in tests.
  Engine(const config::ChainConfig &chain, store::Store &store,
         chain::AdapterFactory make = chain::make_adapter);
  ~Engine();

  // Indexes [from, to]; resumes a killed run of the same range; idempotent.
  RunReport backfill(uint64_t from, uint64_t to);
  // Catches up to head - confirmations; with `follow`, keeps going until a stop
  // signal.
  RunReport scan(bool follow);
  // Tokens to quarantine (persisted when the run starts): their items that
  // cannot be normalized are set aside and the chain goes on, their balances
  // marked untrusted.
  void quarantine(std::vector<Key> tokens);

private:
  struct Heights {
    uint64_t head, target, safe, finalized;
  };
  Heights read_heights();
  void prepare();
  // Runs [from, to]; returns false when it stopped early (reorg unwound, or a
  // stop request).
  bool run_range(uint64_t from, uint64_t to, const Heights &heights,
                 bool backfill_job, uint64_t job_from, uint64_t job_to,
                 RunReport &report);
  // Walks back from `mismatch_at`, unwinds to the common ancestor, returns it.
  uint64_t unwind_reorg(uint64_t mismatch_at, RunReport &report);
  // Throws DataError unless another endpoint (when the chain has several) sees
  // the same new branch for a reorg at least k_deep_reorg_blocks deep.
  void confirm_deep_reorg(uint64_t ancestor, uint64_t depth,
                          const Hash32 &new_hash);
  static constexpr uint64_t k_deep_reorg_blocks = 3;
  // Records the dead letter the chain stops at and throws DataError saying what
  // to do.
  [[noreturn]] void stop_at_dead_letter(store::DeadLetter d);

  const config::ChainConfig &m_chain;
  store::Store &m_store;
  chain::AdapterFactory m_make;
  std::unique_ptr<chain::ChainAdapter> m_adapter;
  std::vector<Key> m_quarantine_requests;
  const std::string m_source;
};

} // namespace chainidx::pipeline

namespace chainidx::pipeline {
// The node's head for `status`; nullopt (and `error` set) when the node cannot
// be asked.
std::optional<uint64_t>
node_head(const config::ChainConfig &chain, std::string &error,
          const chain::AdapterFactory &make = chain::make_adapter);
} // namespace chainidx::pipeline
