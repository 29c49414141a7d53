#pragma once
// What the family registry (chain/families.cpp) needs of the solana family: how it writes its
// identifiers, its config defaults and its adapter.
#include <memory>

#include "core/chain/adapter.hpp"
#include "core/chain/keys.hpp"

namespace chainidx::solana {

const chain::KeyCodec& keys();
void apply_defaults(config::ChainConfig& c);
std::unique_ptr<chain::ChainAdapter> new_adapter(const config::ChainConfig& c);

}  // namespace chainidx::solana
