#pragma once
// What the family registry (chain/families.cpp) needs of the bitcoin family: how it writes its
// identifiers, its config defaults and its adapter; and what its account text may be.
#include <memory>
#include <string_view>

#include "core/chain/adapter.hpp"
#include "core/chain/keys.hpp"

namespace chainidx::bitcoin {

const chain::KeyCodec& keys();
void apply_defaults(config::ChainConfig& c);
std::unique_ptr<chain::ChainAdapter> new_adapter(const config::ChainConfig& c);

// What a Bitcoin account may be written as: 1 to Key::k_capacity printable ASCII characters
// (an address, or a "script:<hex>" id). The normalizer keeps to it, parse_account checks it.
bool is_account_text(std::string_view text);

}  // namespace chainidx::bitcoin
