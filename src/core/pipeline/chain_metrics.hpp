#pragma once
// The Prometheus series of one chain's scan or backfill, in one place. All are created when the
// engine starts (counters at 0, the watermark and open dead letters read from the store), so a
// dashboard panel or an alert rule sees every series from the first scrape, not only after the
// first reorg or dead letter (packaging/monitoring/ relies on that).
#include <cstdint>
#include <string>

#include "core/metrics/metrics.hpp"

namespace chainidx::pipeline {

struct ChainMetrics {
    explicit ChainMetrics(const std::string& chain);

    metrics::Gauge& head;
    metrics::Gauge& finalized;
    metrics::Gauge& watermark;
    metrics::Gauge& dead_letters_open;
    metrics::Counter& blocks_indexed;
    metrics::Counter& transfer_logs;
    metrics::Counter& events_inserted;
    metrics::Counter& skipped_logs;
    metrics::Counter& reorgs;
    metrics::Counter& dead_letters_opened;       // chainidx_dead_letters_total{status="open"}
    metrics::Counter& dead_letters_quarantined;  // …{status="quarantined"}
    metrics::Histogram& batch_duration;
    metrics::Histogram& reorg_depth;
};

}  // namespace chainidx::pipeline
