#include "core/pipeline/chain_metrics.hpp"

namespace chainidx::pipeline {

namespace {

metrics::Labels of(const std::string& chain) {
    return {{"chain", chain}};
}

metrics::Counter& dead_letters(const std::string& chain, const char* status) {
    return metrics::registry().counter(
        "chainidx_dead_letters_total",
        "Items that could not be normalized, by what became of them (open: the chain stopped "
        "at it; quarantined: set aside with its token)",
        {{"chain", chain}, {"status", status}});
}

}  // namespace

ChainMetrics::ChainMetrics(const std::string& chain)
    : head(metrics::registry().gauge("chainidx_head_block", "The node's head block", of(chain))),
      finalized(metrics::registry().gauge("chainidx_finalized_block", "The chain's finalized block",
                                          of(chain))),
      watermark(metrics::registry().gauge("chainidx_watermark_block",
                                          "The last block committed (the stored watermark)",
                                          of(chain))),
      dead_letters_open(metrics::registry().gauge(
          "chainidx_dead_letters_open",
          "Dead letters open: indexing stops at them until resolved (chainidx dlq)", of(chain))),
      blocks_indexed(metrics::registry().counter("chainidx_blocks_indexed_total",
                                                 "Blocks committed", of(chain))),
      transfer_logs(metrics::registry().counter(
          "chainidx_transfer_logs_total",
          "Balance-bearing items normalized (ERC-20 logs, inputs/outputs, balance changes)",
          of(chain))),
      events_inserted(metrics::registry().counter("chainidx_events_inserted_total",
                                                  "Balance events newly stored", of(chain))),
      skipped_logs(metrics::registry().counter(
          "chainidx_skipped_logs_total",
          "Items that carry no balance or cannot be read (ERC-721, malformed)", of(chain))),
      reorgs(metrics::registry().counter("chainidx_reorgs_total", "Reorgs unwound", of(chain))),
      dead_letters_opened(dead_letters(chain, "open")),
      dead_letters_quarantined(dead_letters(chain, "quarantined")),
      batch_duration(metrics::registry().histogram(
          "chainidx_batch_duration_seconds", "Time to commit one batch",
          {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}, of(chain))),
      reorg_depth(metrics::registry().histogram("chainidx_reorg_depth_blocks",
                                                "Blocks unwound per reorg",
                                                {1, 2, 3, 5, 10, 20, 50, 100}, of(chain))) {}

}  // namespace chainidx::pipeline
