// The Prometheus exposition: labels common to a --metrics-file, and the per-chain series that
// exist from the start (packaging/monitoring/'s panels and alerts query them before any batch).
#include <doctest/doctest.h>

#include <string>

#include "core/metrics/metrics.hpp"
#include "core/pipeline/chain_metrics.hpp"

using chainidx::metrics::Registry;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("exposition_adds_common_labels_to_every_series_including_histogram_buckets") {
    Registry reg;
    reg.counter("t_requests_total", "requests", {{"chain", "eth"}}).add(3);
    reg.gauge("t_last_run", "unlabelled").set(7);
    reg.histogram("t_seconds", "durations", {1, 5}, {{"chain", "eth"}}).observe(2);

    const std::string plain = reg.exposition();
    CHECK(has_line(plain, "t_requests_total{chain=\"eth\"} 3"));
    CHECK(has_line(plain, "t_last_run 7"));

    const std::string tagged = reg.exposition({{"command", "scan"}});
    CHECK(has_line(tagged, "t_requests_total{chain=\"eth\",command=\"scan\"} 3"));
    CHECK(has_line(tagged, "t_last_run{command=\"scan\"} 7"));
    CHECK(has_line(tagged, "t_seconds_bucket{chain=\"eth\",command=\"scan\",le=\"1\"} 0"));
    CHECK(has_line(tagged, "t_seconds_bucket{chain=\"eth\",command=\"scan\",le=\"5\"} 1"));
    CHECK(has_line(tagged, "t_seconds_bucket{chain=\"eth\",command=\"scan\",le=\"+Inf\"} 1"));
    CHECK(has_line(tagged, "t_seconds_sum{chain=\"eth\",command=\"scan\"} 2"));
    CHECK(has_line(tagged, "t_seconds_count{chain=\"eth\",command=\"scan\"} 1"));
    // Every sample line carries the label; HELP and TYPE lines are untouched.
    size_t samples = 0;
    for (size_t at = 0, nl; at < tagged.size(); at = nl + 1) {
        nl = tagged.find('\n', at);
        const std::string line = tagged.substr(at, nl - at);
        if (line.empty() || line[0] == '#') continue;
        ++samples;
        CHECK_MESSAGE(line.find("command=\"scan\"") != std::string::npos, line);
    }
    CHECK(samples == 7);
}

TEST_CASE("chain_metrics_creates_every_series_of_a_chain_at_zero") {
    const chainidx::pipeline::ChainMetrics m("metrics-test-chain");
    const std::string text = chainidx::metrics::registry().exposition();
    for (const char* series :
         {"chainidx_head_block", "chainidx_finalized_block", "chainidx_watermark_block",
          "chainidx_dead_letters_open", "chainidx_blocks_indexed_total",
          "chainidx_transfer_logs_total", "chainidx_events_inserted_total",
          "chainidx_skipped_logs_total", "chainidx_reorgs_total",
          "chainidx_batch_duration_seconds_count", "chainidx_reorg_depth_blocks_count"})
        CHECK_MESSAGE(has_line(text, std::string(series) + "{chain=\"metrics-test-chain\"} 0"),
                      series);
    for (const char* status : {"open", "quarantined"})
        CHECK(has_line(text, std::string("chainidx_dead_letters_total{chain=\"metrics-test-chain\","
                                         "status=\"") +
                                 status + "\"} 0"));
}
