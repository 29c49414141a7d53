#include "core/pipeline/endpoint_share.hpp"

#include <algorithm>
#include <limits>

namespace chainidx::pipeline {

EndpointShare::EndpointShare(size_t endpoints, Probe probe)
    : m_endpoints(std::max<size_t>(1, endpoints)), m_probe(std::move(probe)) {}

size_t EndpointShare::choose(uint64_t first, uint64_t shared_to, Clock::time_point now) const {
    if (m_endpoints.size() == 1 || first > shared_to) return 0;
    // An endpoint not measured yet counts as fast as the fastest one: it gets a span to show.
    double fastest = 0;
    for (const State& s : m_endpoints)
        if (s.seconds_per_block > 0 && (fastest == 0 || s.seconds_per_block < fastest))
            fastest = s.seconds_per_block;
    size_t best = 0;
    double best_cost = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < m_endpoints.size(); ++k) {
        const State& s = m_endpoints[k];
        if (k > 0 && now < s.out_until) continue;
        const Admits a = m_probe ? m_probe(k) : Admits{};
        if (k > 0 && a.open) continue;
        // When it would be done, in units of one span's time on it: at once if it has a free
        // slot, else after its turn comes among the spans it already has.
        const double limit = std::max(1u, a.limit);
        const double queue = std::max(0.0, s.in_flight + 1.0 - limit) / limit;
        const double per_block = s.seconds_per_block > 0 ? s.seconds_per_block : fastest;
        // Equal costs (nothing measured yet): the fewest in flight, the first endpoint first.
        const double cost = (1 + queue) * per_block + 1e-9 * (s.in_flight + k * 1e-3);
        if (cost < best_cost) {
            best_cost = cost;
            best = k;
        }
    }
    return best;
}

uint64_t EndpointShare::shared_end(size_t endpoint, uint64_t end, uint64_t shared_to) {
    return endpoint == 0 ? end : std::min(end, shared_to);
}

void EndpointShare::started(size_t endpoint) {
    ++m_endpoints[endpoint].in_flight;
}

void EndpointShare::finished(size_t endpoint, uint64_t blocks, double seconds) {
    State& s = m_endpoints[endpoint];
    if (s.in_flight > 0) --s.in_flight;
    ++s.done;
    if (blocks == 0 || seconds <= 0) return;
    const double per_block = seconds / static_cast<double>(blocks);
    // Recent spans count most: an endpoint that slows down loses its share within a few spans.
    s.seconds_per_block =
        s.seconds_per_block == 0 ? per_block : 0.7 * s.seconds_per_block + 0.3 * per_block;
}

bool EndpointShare::failed(size_t endpoint, Clock::time_point now) {
    if (endpoint == 0) return false;
    const bool was_out = now < m_endpoints[endpoint].out_until;
    m_endpoints[endpoint].out_until = now + k_sit_out;
    return !was_out;
}

}  // namespace chainidx::pipeline
