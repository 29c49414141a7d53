#include "core/rpc/endpoint_registry.hpp"

namespace chainidx::rpc {

std::shared_ptr<Endpoint> EndpointRegistry::get(const std::string& url,
                                                const EndpointLimits& limits,
                                                const std::string& chain) {
    std::lock_guard lock(m_mutex);
    auto& slot = m_endpoints[url];
    if (!slot) slot = std::make_shared<Endpoint>(url, limits, chain);
    return slot;
}

std::shared_ptr<Endpoint> EndpointRegistry::find(const std::string& url) const {
    std::lock_guard lock(m_mutex);
    auto it = m_endpoints.find(url);
    return it == m_endpoints.end() ? nullptr : it->second;
}

std::vector<EndpointRegistry::BreakerReport> EndpointRegistry::breakers() const {
    std::lock_guard lock(m_mutex);
    std::vector<BreakerReport> out;
    const auto now = Clock::now();
    for (const auto& [url, e] : m_endpoints)
        out.push_back({e->display_url(), e->breaker_state(now)});
    return out;
}

bool EndpointRegistry::any_breaker_open() const {
    for (const BreakerReport& b : breakers())
        if (b.state != BreakerState::closed) return true;
    return false;
}

EndpointRegistry& endpoint_registry() {
    static EndpointRegistry registry;
    return registry;
}

bool any_breaker_open() {
    return endpoint_registry().any_breaker_open();
}

}  // namespace chainidx::rpc
