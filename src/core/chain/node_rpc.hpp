#pragma once
// The JSON-RPC client for a chain's node, configured from the chain's settings (endpoints,
// timeouts, retries, limits). Every adapter builds its client here.
#include <memory>

#include "core/config/config.hpp"
#include "core/rpc/json_rpc.hpp"

namespace chainidx::chain {

rpc::ClientOptions rpc_options_for(const config::ChainConfig& chain);
std::unique_ptr<rpc::JsonRpcClient> rpc_client_for(const config::ChainConfig& chain);

}  // namespace chainidx::chain
