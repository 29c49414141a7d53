#pragma once
// The process-wide table of RPC endpoints, keyed by URL, so every client of one endpoint (the
// engine's main thread and its fetch thread, a status check) shares one rate limit, one set of
// concurrency slots and one circuit breaker, and what was learned about it lasts for the run.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/rpc/endpoint.hpp"

namespace chainidx::rpc {

class EndpointRegistry {
  public:
    // The endpoint for `url`, created with `limits` on first use; later callers get the same
    // object, with the first caller's limits and whatever was learned since.
    std::shared_ptr<Endpoint> get(const std::string& url, const EndpointLimits& limits,
                                  const std::string& chain = {});
    // The endpoint for `url` if a client has used it, else nullptr.
    std::shared_ptr<Endpoint> find(const std::string& url) const;

    struct BreakerReport {
        std::string endpoint;  // redacted
        BreakerState state;
    };
    // Every endpoint used so far, with its breaker's state now.
    std::vector<BreakerReport> breakers() const;
    // True when a breaker is open or half-open: an endpoint failed and has not answered since.
    bool any_breaker_open() const;

  private:
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<Endpoint>> m_endpoints;
};

// The registry JsonRpcClient uses unless ClientOptions names another.
EndpointRegistry& endpoint_registry();

// Shorthand for endpoint_registry().any_breaker_open(), for `status --check`.
bool any_breaker_open();

}  // namespace chainidx::rpc
