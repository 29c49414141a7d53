#pragma once
// The EVM raw-block NDJSON line, what `backfill --emit raw` writes and `normalize` reads:
//   {"schema":"chainidx.evm.block/1","chain","number","hash","parent_hash","timestamp",
//    "logs":[{"tx","log_index","address","topics":[…],"data"}]}
#include <string>
#include <vector>

#include "core/model/ndjson_fields.hpp"
#include "core/model/types.hpp"

namespace chainidx::evm {

inline constexpr const char* k_raw_block_schema = "chainidx.evm.block/1";

struct RawBlock {
    BlockHeader header;
    std::vector<RawLog> logs;
};

// One log as in the line's "logs" array (also a dead letter's payload).
nlohmann::ordered_json raw_log_json(const RawLog& log);
std::string raw_block_line(const std::string& chain, const RawBlock& block);
RawBlock parse_raw_block(const std::string& text, const std::string& chain,
                         const ndjson::Where& where);

}  // namespace chainidx::evm
