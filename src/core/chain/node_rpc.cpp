#include "core/chain/node_rpc.hpp"

namespace chainidx::chain {

rpc::ClientOptions rpc_options_for(const config::ChainConfig& chain) {
    rpc::ClientOptions o;
    o.endpoints = chain.rpc.value;
    o.timeout_ms = static_cast<long>(chain.rpc_timeout_ms.value);
    o.retries = static_cast<unsigned>(chain.rpc_retries.value);
    o.chain = chain.name;
    o.retry_budget_ms = static_cast<long>(chain.rpc_retry_budget_ms.value);
    o.max_response_bytes = static_cast<size_t>(chain.rpc_max_response_bytes.value);
    o.rate_limit = chain.rpc_rate_limit.value;
    o.max_concurrency = static_cast<unsigned>(chain.rpc_max_concurrency.value);
    o.breaker_failures = static_cast<unsigned>(chain.rpc_breaker_failures.value);
    o.breaker_cooldown_ms = static_cast<long>(chain.rpc_breaker_cooldown_ms.value);
    o.ca_file = chain.ca_file.value;
    return o;
}

std::unique_ptr<rpc::JsonRpcClient> rpc_client_for(const config::ChainConfig& chain) {
    return std::make_unique<rpc::JsonRpcClient>(rpc_options_for(chain));
}

}  // namespace chainidx::chain
