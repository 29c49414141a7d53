#include "core/chain/node_rpc.hpp"

namespace chainidx::chain {

std::unique_ptr<rpc::JsonRpcClient> rpc_client_for(const config::ChainConfig& chain) {
    rpc::ClientOptions o;
    o.endpoints = chain.rpc.value;
    o.timeout_ms = static_cast<long>(chain.rpc_timeout_ms.value);
    o.retries = static_cast<unsigned>(chain.rpc_retries.value);
    return std::make_unique<rpc::JsonRpcClient>(std::move(o));
}

}  // namespace chainidx::chain
