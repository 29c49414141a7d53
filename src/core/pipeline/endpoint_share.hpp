#pragma once
// Which of a chain's RPC endpoints fetches the next span. Several endpoints share a fetch by their
// measured speed: a span goes where it would be done soonest, from the seconds per block each
// endpoint took lately and the spans it already has in flight against what it admits. Blocks
// above the finalized height go to the first endpoint only (the one the engine reads the head
// from): another node may lag behind it or follow another branch there, and a lagging node
// answers eth_getLogs for blocks it lacks with nothing rather than an error. A span that fails on
// another endpoint is fetched again from the first, and that endpoint sits out a while.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace chainidx::pipeline {

class EndpointShare {
  public:
    using Clock = std::chrono::steady_clock;
    // What the endpoint itself says now (rpc::Endpoint): how many requests it admits at once,
    // and whether its circuit breaker is open.
    struct Admits {
        unsigned limit = 4;
        bool open = false;
    };
    using Probe = std::function<Admits(size_t endpoint)>;

    // `endpoints`: how many the chain has, in order of preference.
    EndpointShare(size_t endpoints, Probe probe);

    // The endpoint for the span starting at `first`; every endpoint may take it when `first` is
    // at or below `shared_to` (the span must then end there too: shared_end()).
    size_t choose(uint64_t first, uint64_t shared_to, Clock::time_point now = Clock::now()) const;
    // The last block of a span that starts at `first` on `endpoint` and would end at `end`.
    static uint64_t shared_end(size_t endpoint, uint64_t end, uint64_t shared_to);

    void started(size_t endpoint);
    // A span of `blocks` blocks took `seconds` (successful or not, it is no longer in flight).
    void finished(size_t endpoint, uint64_t blocks, double seconds);
    // A span failed on `endpoint` (never the first): it takes no span for k_sit_out. False when
    // it was sitting out already (a span sent before the first failure failed too).
    bool failed(size_t endpoint, Clock::time_point now = Clock::now());

    size_t size() const { return m_endpoints.size(); }
    uint64_t spans_done(size_t endpoint) const { return m_endpoints[endpoint].done; }

    static constexpr std::chrono::seconds k_sit_out{30};

  private:
    struct State {
        unsigned in_flight = 0;
        double seconds_per_block = 0;  // moving average; 0 until a span is done
        uint64_t done = 0;
        Clock::time_point out_until = Clock::time_point::min();
    };
    std::vector<State> m_endpoints;
    Probe m_probe;
};

}  // namespace chainidx::pipeline
