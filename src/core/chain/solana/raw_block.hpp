#pragma once
// The Solana raw-block NDJSON line, one per slot, what `backfill --emit raw` writes and
// `normalize` reads:
//   {"schema":"chainidx.solana.block/1","chain","slot","skipped","hash","parent_hash",
//    "block":<the getBlock result as the node sent it; absent for a skipped slot>}
// A skipped slot's hash and parent_hash are the hash of the nearest block below it.
#include <string>
#include <string_view>

#include "core/chain/adapter.hpp"

namespace chainidx::solana {

inline constexpr const char* k_raw_block_schema = "chainidx.solana.block/1";

// `block_json` is the getBlock result's JSON text, empty for a skipped slot.
std::string raw_block_line(const std::string& chain, const BlockHeader& header,
                           std::string_view block_json);
// Normalizes one line with the normalizer `fetch` uses; errors are UsageErrors
// "SOURCE:LINE: what".
chain::Fetched normalize_raw_line(const std::string& line, const std::string& chain,
                                  const ndjson::Where& where);

}  // namespace chainidx::solana
