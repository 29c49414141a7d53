#pragma once
// The fetch stage: workers fetch and normalize spans of [from, to] concurrently and hand them
// over in order, so round trips to a remote node overlap and memory stays flat however long the
// range; normalizing overlaps with writing.
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/chain/adapter.hpp"
#include "core/config/config.hpp"
#include "core/pipeline/endpoint_share.hpp"

namespace chainidx::pipeline {

using FetchedRange = chain::Fetched;

// The node changed the chain while ranges were being fetched: refetch, never write.
class ChainMoved : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Do not trust the node: throws ChainMoved unless the range's headers link to each other (and
// the first to `before`, when given) and every event names its own block's hash.
void check_links(const FetchedRange& range, const std::string& chain,
                 const BlockHeader* before = nullptr);

// Fetches [from, to] with a pool of workers, each with its own adapter (and so its own
// connection): the range is cut ahead into spans of the size the workers' adapters have learned,
// the spans are fetched concurrently (as many in flight as the endpoints admit, see
// rpc::Endpoint), and handed out strictly in block order through a reorder buffer. Memory is
// bounded in bytes (k_fetch_budget_bytes): no span is started while what is buffered and in
// flight would exceed it, except the one the writer waits for. Workers join in only while the
// writer waits for the fetch: a local node and a slow database need one or two.
//
// A chain with several endpoints shares the spans at or below `shared_to` (the finalized
// height) among them by their measured speed (EndpointShare); blocks above it come from the
// first endpoint only. Each worker keeps one adapter per endpoint, made from the chain's config
// with that endpoint first (the others stay its failover); another endpoint's chain is verified
// before its first span.
class Fetcher {
  public:
    Fetcher(const config::ChainConfig& chain, chain::AdapterFactory make, uint64_t from,
            uint64_t to, bool keep_raw = false, std::optional<uint64_t> shared_to = std::nullopt);
    ~Fetcher();  // cancels and joins
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    // The next range in order; nullopt when [from, to] is done. Rethrows a fetch failure once
    // every range before it has been handed out.
    std::optional<FetchedRange> next();

    // Whether next() would answer at once. When it would not, the fetch is behind the writer:
    // one more span is fetched at once from now on.
    bool ready();

    // The most spans that were being fetched at once, for the debug log and tests.
    unsigned most_in_flight() const;
    // Spans each endpoint fetched (in the order of the chain's `rpc` list), for tests.
    std::vector<uint64_t> spans_by_endpoint() const;

  private:
    // A fetched piece, or the failure where the fetch stopped.
    struct Piece {
        std::optional<FetchedRange> range;
        std::exception_ptr error;
        size_t bytes = 0;
    };
    void work();
    // The adapter of `endpoint` among a worker's, its chain checked once per fetcher.
    chain::ChainAdapter& adapter_for(std::vector<std::unique_ptr<chain::ChainAdapter>>& adapters,
                                     size_t endpoint);
    bool may_claim(uint64_t blocks) const;  // under m_mutex
    bool ready_locked();                    // under m_mutex
    uint64_t span_cap() const;              // under m_mutex
    // The bytes a block costs while fetched: what it becomes plus its share of the answer.
    double held_per_block() const;  // under m_mutex, once a block was seen

    const config::ChainConfig& m_chain;
    const chain::AdapterFactory m_make;
    const uint64_t m_to;
    const bool m_keep_raw;
    const uint64_t m_shared_to;  // spans ending at or below it may go to any endpoint
    const double m_answer_hold;  // bytes held per byte of a node's answer while it is parsed
    // Per endpoint: the chain's config with that endpoint first (index 0: the chain's own).
    std::vector<config::ChainConfig> m_configs;

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<uint64_t, Piece> m_ready;  // by first block
    uint64_t m_next_claim;              // the first block no worker has taken
    uint64_t m_next_out;                // the first block next() hands out
    size_t m_buffered_bytes = 0;
    uint64_t m_in_flight_blocks = 0;
    unsigned m_in_flight = 0, m_most_in_flight = 0;
    // Spans fetched at once: a few at first, one more each time the writer had to wait.
    unsigned m_active = 4;
    uint64_t m_seen_blocks = 0;  // fetched so far, for the bytes per block
    size_t m_seen_bytes = 0;
    size_t m_seen_answer_bytes = 0;  // of the node's answers they were parsed from
    EndpointShare m_share;
    // Per endpoint: its chain is checked once (the first's by the engine).
    std::unique_ptr<std::once_flag[]> m_verified;
    bool m_failed = false;  // a worker failed: take no more spans
    bool m_cancel = false;
    std::vector<std::thread> m_threads;
};

}  // namespace chainidx::pipeline
