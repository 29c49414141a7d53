#pragma once
// What the family registry (chain/families.cpp) needs of the evm family: how it writes its
// identifiers, its config defaults and its adapter.
#include <memory>

#include "core/chain/adapter.hpp"
#include "core/chain/keys.hpp"

namespace chainidx::evm {

const chain::KeyCodec& keys();
void apply_defaults(config::ChainConfig& c);
std::unique_ptr<chain::ChainAdapter> new_adapter(const config::ChainConfig& c);

}  // namespace chainidx::evm
