#include "core/pipeline/engine.hpp"

#include "core/pipeline/dead_letters.hpp"
#include "core/pipeline/duplicate_ids.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <utility>

#include "core/alert/webhook.hpp"
#include "core/chain/adapter.hpp"
#include "core/chain/keys.hpp"
#include "core/metrics/metrics.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/fetcher.hpp"
#include "core/pipeline/progress.hpp"
#include "core/pipeline/spends.hpp"
#include "core/pipeline/stop.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

// Events per committed batch: large enough that balance upserts (one per pair
// per batch) and transaction overhead are amortised, small enough to keep
// memory flat (~10 MB).
constexpr size_t k_batch_events = 60000;

void record_batch_metrics(const std::string &chain_name,
                          const store::Batch &batch,
                          const chain::NormalizeStats &stats,
                          const store::IngestResult &r, double seconds) {
  auto &reg = metrics::registry();
  const metrics::Labels chain{{"chain", chain_name}};
  reg.counter("chainidx_blocks_indexed_total", "Blocks committed", chain)
      .add(batch.to - batch.from + 1);
  reg.counter("chainidx_transfer_logs_total",
              "Balance-bearing items normalized (ERC-20 logs, inputs/outputs, "
              "balance changes)",
              chain)
      .add(stats.transfers);
  reg.counter("chainidx_events_inserted_total", "Balance events newly stored",
              chain)
      .add(r.events_inserted);
  reg.counter(
         "chainidx_skipped_logs_total",
         "Items that carry no balance or cannot be read (ERC-721, malformed)",
         chain)
      .add(stats.erc721 + stats.malformed);
  reg.histogram("chainidx_batch_duration_seconds", "Time to commit one batch",
                {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}, chain)
      .observe(seconds);
  reg.gauge("chainidx_watermark_block", "The last block committed by this run",
            chain)
      .set(static_cast<double>(batch.to));
}

} // namespace

Engine::Engine(const config::ChainConfig &chain, store::Store &store,
               chain::AdapterFactory make)
    : m_chain(chain), m_store(store), m_make(std::move(make)),
      m_adapter(m_make(chain)),
      // Where dead letters came from: the first endpoint, redacted.
      m_source(chain.rpc.value.empty()
                   ? "rpc"
                   : "rpc " + config::redact_rpc_url(chain.rpc.value.front())) {
}

Engine::~Engine() = default;

void Engine::prepare() {
  m_adapter->verify();
  m_store.register_chain(m_chain.name, m_chain.family.value,
                         m_chain.chain_id.value);
  const uint64_t since =
      m_store.chain_state(m_chain.name).watermark.value_or(0);
  for (const Key &t : m_quarantine_requests)
    m_store.quarantine_token(m_chain.name, t, "--quarantine-token", since);
}

void Engine::quarantine(std::vector<Key> tokens) {
  m_quarantine_requests = std::move(tokens);
}

void Engine::stop_at_dead_letter(store::DeadLetter d) {
  d.id = m_store.record_dead_letter(d).first;
  count_dead_letters(m_chain.name, "open", 1);
  const chain::KeyFormat keys(m_chain.family.value);
  throw DataError(stop_message(m_chain.name, keys.token(d.token), d));
}

Engine::Heights Engine::read_heights() {
  chain::Heights node = m_adapter->heights();
  Heights h{};
  h.head = node.head;
  h.target = h.head >= m_chain.confirmations.value
                 ? h.head - m_chain.confirmations.value
                 : 0;
  h.safe = node.safe;
  h.finalized = node.finalized;
  // A lagging node can report tags above its own head; never trust a tag past
  // the head.
  h.finalized = std::min(h.finalized, h.head);
  h.safe = std::min(std::max(h.safe, h.finalized), h.head);
  auto &reg = metrics::registry();
  const metrics::Labels chain{{"chain", m_chain.name}};
  reg.gauge("chainidx_head_block", "The node's head block", chain).set(h.head);
  reg.gauge("chainidx_finalized_block", "The chain's finalized block", chain)
      .set(h.finalized);
  return h;
}

uint64_t Engine::unwind_reorg(uint64_t mismatch_at, RunReport &report) {
  store::ChainState state = m_store.chain_state(m_chain.name);
  // Walk back from the block whose child did not link until stored and node
  // agree.
  uint64_t n = mismatch_at;
  while (true) {
    auto stored = m_store.block_hash(m_chain.name, n);
    if (!stored)
      throw DataError(
          "chain " + m_chain.name + ": reorg at block " +
          std::to_string(mismatch_at + 1) + ": block " + std::to_string(n) +
          " is not stored, so the common ancestor cannot be found; "
          "use `chainidx rollback --to-block N` to a block before the fork");
    if (m_adapter->header(n).hash == *stored)
      break;
    if (n <= state.finalized_block)
      throw DataError(
          "chain " + m_chain.name + ": reorg deeper than finality: block " +
          std::to_string(n) + " (finalized height " +
          std::to_string(state.finalized_block) +
          ") differs from the stored one; stopping without changing anything");
    if (n == 0)
      break;
    --n;
  }
  if (n == mismatch_at)
    throw ChainMoved(m_chain.name + ": block " + std::to_string(n + 1) +
                     " does not link to block " + std::to_string(n) +
                     ", yet block " + std::to_string(n) +
                     " is unchanged: the node answered from two branches");
  const Hash32 new_hash = m_adapter->header(n + 1).hash;
  confirm_deep_reorg(n, state.watermark.value_or(mismatch_at) - n, new_hash);
  store::UnwindRequest req;
  req.chain = m_chain.name;
  req.to_block = n;
  req.kind = "reorg";
  req.new_hash = new_hash;
  req.reason =
      "parent hash mismatch at block " + std::to_string(mismatch_at + 1);
  store::UnwindResult res = m_store.unwind(req);
  ++report.reorgs;
  const metrics::Labels chain{{"chain", m_chain.name}};
  metrics::registry()
      .counter("chainidx_reorgs_total", "Reorgs unwound", chain)
      .add();
  metrics::registry()
      .histogram("chainidx_reorg_depth_blocks", "Blocks unwound per reorg",
                 {1, 2, 3, 5, 10, 20, 50, 100}, chain)
      .observe(static_cast<double>(res.old_head - n));
  spdlog::warn("{}: reorg: unwound {} blocks above the common ancestor {} (old "
               "head {}), "
               "reverted {} events",
               m_chain.name, res.old_head - n, n, res.old_head,
               res.events_reverted);
  const uint64_t depth = res.old_head - n;
  if (depth >= alert::notifier().settings().reorg_depth)
    alert::notifier().send({"reorg",
                            m_chain.name,
                            std::to_string(n),
                            m_chain.name + ": reorg " + std::to_string(depth) +
                                " blocks deep unwound to block " +
                                std::to_string(n),
                            {{"fork_block", n},
                             {"depth", depth},
                             {"old_head", res.old_head},
                             {"events_reverted", res.events_reverted}}});
  return n;
}

bool Engine::run_range(uint64_t from, uint64_t to, const Heights &heights,
                       bool backfill_job, uint64_t job_from, uint64_t job_to,
                       RunReport &report) {
  Progress progress(m_chain.name, backfill_job ? "backfill" : "scan", from, to);
  const uint64_t max_blocks = std::max<uint64_t>(1, m_chain.batch_blocks.value);
  const chain::KeyFormat keys(m_chain.family.value);
  for (int attempt = 0;; ++attempt) {
    try {
      Fetcher fetcher(m_chain, m_make, from, to);
      std::optional<FetchedRange> held; // fetched, but for the next batch
      auto next_range = [&]() -> std::optional<FetchedRange> {
        if (!held)
          return fetcher.next();
        auto r = std::move(held);
        held.reset();
        return r;
      };
      auto waited_since = Clock::now();
      double waited = 0;
      bool committed_below =
          false; // this run wrote the block below the next batch
      while (auto range = next_range()) {
        if (stop_requested())
          return false;
        check_links(*range, m_chain.name);
        // The first block must link to what is stored below it.
        std::optional<Hash32> below;
        if (range->from > 0) {
          below = m_store.block_hash(m_chain.name, range->from - 1);
          if (below && *below != range->headers.front().parent_hash) {
            unwind_reorg(range->from - 1, report);
            return false;
          }
        }
        store::Batch batch;
        batch.chain = m_chain.name;
        batch.source = "the node";
        batch.from = range->from;
        // What this run saw below must still be there when the batch commits: a
        // rollback in between makes the commit fail rather than leave a hole.
        batch.parent_required = committed_below || below.has_value();
        batch.safe_block = heights.safe;
        batch.finalized_block = heights.finalized;
        if (backfill_job)
          batch.job = store::BackfillJob{job_from, job_to};
        chain::NormalizeStats stats;
        // Fetched ranges stay small (bounded responses); a batch gathers
        // several, so each (token, account) is upserted once per many blocks.
        for (;;) {
          append(batch, *range);
          stats += range->stats;
          if (batch.events.size() >= k_batch_events)
            break;
          waited_since = Clock::now();
          range = next_range();
          waited += std::chrono::duration<double>(Clock::now() - waited_since)
                        .count();
          if (!range)
            break;
          if (batch.blocks.size() + range->headers.size() > max_blocks) {
            held = std::move(range);
            break;
          }
          check_links(*range, m_chain.name, &batch.blocks.back());
        }
        auto ingest_start = Clock::now();
        if (size_t copies = set_aside_duplicate_ids(batch, keys))
          spdlog::warn("{}: blocks {}..{}: the node sent {} items twice; each "
                       "is indexed "
                       "once",
                       m_chain.name, batch.from, batch.to, copies);
        const std::optional<store::DeadLetter> stop =
            settle_dead_letters(m_store, batch, m_source);
        if (stop && batch.blocks.empty())
          stop_at_dead_letter(*stop);
        resolve_spends(m_store, batch);
        store::IngestResult r;
        try {
          r = m_store.ingest(batch);
        } catch (const Error &) {
          throw;
        } catch (const std::exception &e) {
          throw Error("chain " + m_chain.name + ": committing blocks " +
                      std::to_string(batch.from) + ".." +
                      std::to_string(batch.to) +
                      " failed, nothing of them was written: " + e.what());
        }
        if (r.parent_mismatch) { // the block below changed since it was read
          unwind_reorg(batch.from - 1, report);
          return false;
        }
        report.blocks += batch.to - batch.from + 1;
        report.batches += 1;
        report.transfers += stats.transfers;
        report.erc721_logs += stats.erc721;
        report.malformed_logs += stats.malformed;
        report.events_inserted += r.events_inserted;
        report.events_duplicate += r.events_duplicate;
        report.last_block = batch.to;
        record_batch_metrics(
            m_chain.name, batch, stats, r,
            std::chrono::duration<double>(Clock::now() - ingest_start).count());
        // Where the time goes: waiting for the node (fetch) vs writing
        // (ingest).
        spdlog::debug(
            "{}: blocks {}..{}: {} events, waited {:.3f}s for the fetch, "
            "ingest {:.3f}s",
            m_chain.name, batch.from, batch.to, batch.events.size(), waited,
            std::chrono::duration<double>(Clock::now() - ingest_start).count());
        waited = 0;
        if (!batch.dead_letters.empty())
          spdlog::warn("{}: blocks {}..{}: {} items of quarantined tokens "
                       "cannot be read; set "
                       "aside as dead letters (chainidx dlq list)",
                       m_chain.name, batch.from, batch.to,
                       batch.dead_letters.size());
        progress.update(batch.to, report.transfers);
        count_dead_letters(m_chain.name, "quarantined",
                           batch.dead_letters.size());
        if (stop)
          stop_at_dead_letter(*stop);
        committed_below = true;
        from = batch.to + 1;
      }
      progress.finish();
      // Ranges are stamped as they are written; this raises the stored heights
      // to match.
      m_store.promote_finality(m_chain.name, heights.safe, heights.finalized);
      return true;
    } catch (const ChainMoved &e) {
      if (attempt >= 3)
        throw DataError(std::string(e.what()) + " (after 4 fetches)");
      spdlog::info("{}; the chain moved during the fetch, fetching again",
                   e.what());
    }
  }
}

void Engine::confirm_deep_reorg(uint64_t ancestor, uint64_t depth,
                                const Hash32 &new_hash) {
  if (depth < k_deep_reorg_blocks || m_chain.rpc.value.size() < 2)
    return;
  // One endpoint's word is not enough to throw away this many blocks: a node on
  // a minority fork, or a broken one behind a load balancer, would make us
  // unwind good data.
  std::vector<std::string> agree, disagree;
  for (const std::string &endpoint : m_chain.rpc.value) {
    config::ChainConfig one = m_chain;
    one.rpc.value = {endpoint};
    one.rpc_retries.value = std::min<uint64_t>(m_chain.rpc_retries.value, 1);
    const std::string shown = config::redact_rpc_url(endpoint);
    try {
      auto adapter = m_make(one);
      auto stored = m_store.block_hash(m_chain.name, ancestor);
      if (adapter->header(ancestor).hash == *stored &&
          adapter->header(ancestor + 1).hash == new_hash)
        agree.push_back(shown);
      else
        disagree.push_back(shown);
    } catch (const std::exception &e) {
      disagree.push_back(shown + " (" + e.what() + ")");
    }
  }
  if (agree.size() >= 2) {
    spdlog::info("{}: reorg {} blocks deep confirmed by {} endpoints",
                 m_chain.name, depth, agree.size());
    return;
  }
  std::string list;
  for (const auto &d : disagree)
    list += (list.empty() ? "" : "; ") + d;
  throw DataError("chain " + m_chain.name + ": a reorg " +
                  std::to_string(depth) + " blocks deep (to block " +
                  std::to_string(ancestor) + ") is reported by only " +
                  std::to_string(agree.size()) +
                  " endpoint(s); the others disagree: " + list +
                  ". Nothing was unwound. If the reorg is real, run again once "
                  "the endpoints "
                  "agree, or `chainidx rollback --to-block " +
                  std::to_string(ancestor) + "`");
}

RunReport Engine::backfill(uint64_t from, uint64_t to) {
  RunReport report;
  auto t0 = Clock::now();
  report.first_block = from;
  prepare();
  Heights h = read_heights();
  if (to > h.head)
    throw UsageError("--to " + std::to_string(to) +
                     " is above the chain head " + std::to_string(h.head) +
                     " of " + m_chain.name +
                     "; use `chainidx scan` to follow the head");
  m_store.promote_finality(m_chain.name, h.safe, h.finalized);
  uint64_t next = m_store.start_backfill(m_chain.name, from, to);
  if (next > from)
    spdlog::info("{}: backfill {}..{} resumes at block {}", m_chain.name, from,
                 to, next);
  while (next <= to) {
    if (run_range(next, to, h, true, from, to, report))
      break;
    if (stop_requested())
      break;
    // A reorg was unwound: continue from where the job now stands.
    next = m_store.start_backfill(m_chain.name, from, to);
    h = read_heights();
  }
  report.stopped_by_signal = stop_signal();
  if (!report.stopped_by_signal)
    m_store.finish_backfill(m_chain.name, from, to);
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return report;
}

RunReport Engine::scan(bool follow) {
  RunReport report;
  auto t0 = Clock::now();
  prepare();
  bool first = true;
  while (!stop_requested()) {
    Heights h = read_heights();
    m_store.promote_finality(m_chain.name, h.safe, h.finalized);
    store::ChainState state = m_store.chain_state(m_chain.name);
    uint64_t start;
    if (state.watermark)
      start = *state.watermark + 1;
    else if (m_chain.start_block.value)
      start = *m_chain.start_block.value;
    else
      start = h.target; // nothing indexed and no start_block: begin at the head
    if (first)
      report.first_block = start;
    first = false;
    report.watermark = state.watermark;
    report.target = h.target;
    if (start <= h.target) {
      bool completed = run_range(start, h.target, h, false, 0, 0, report);
      if (!completed || follow)
        continue;
      // --once: the head may have moved while catching up; go round once more.
      if (m_adapter->head() >= h.target + 1 + m_chain.confirmations.value)
        continue;
      break;
    }
    if (state.watermark && h.head < *state.watermark)
      spdlog::debug(
          "{}: node head {} is below the watermark {} (lagging node); waiting",
          m_chain.name, h.head, *state.watermark);
    if (!follow)
      break;
    sleep_unless_stopped(static_cast<long>(m_chain.poll_interval_ms.value));
  }
  report.stopped_by_signal = stop_signal();
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return report;
}

} // namespace chainidx::pipeline

namespace chainidx::pipeline {

std::optional<uint64_t> node_head(const config::ChainConfig &chain,
                                  std::string &error,
                                  const chain::AdapterFactory &make) {
  try {
    config::ChainConfig quick = chain;
    quick.rpc_retries.value = 0;
    quick.rpc_timeout_ms.value =
        std::min<uint64_t>(chain.rpc_timeout_ms.value, 5000);
    return make(quick)->head();
  } catch (const std::exception &e) {
    error = e.what();
    return std::nullopt;
  }
}

} // namespace chainidx::pipeline
