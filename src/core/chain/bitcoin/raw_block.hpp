#pragma once
// The Bitcoin raw-block NDJSON line, what `backfill --emit raw` writes and `normalize` reads:
//   {"schema":"chainidx.bitcoin.block/1","chain","number","hash","block":<getblock result>}
// The block is the node's verbosity-2/3 answer as it came, amounts as their exact text.
#include <simdjson.h>

#include <string>

#include "core/chain/adapter.hpp"

namespace chainidx::bitcoin {

inline constexpr const char* k_raw_block_schema = "chainidx.bitcoin.block/1";

std::string raw_block_line(const std::string& chain, const BlockHeader& header,
                           simdjson::dom::element block);
// Normalizes one line; errors are UsageErrors "SOURCE:LINE: what".
chain::Fetched normalize_raw_line(const std::string& line, const std::string& chain,
                                  const ndjson::Where& where);

}  // namespace chainidx::bitcoin
