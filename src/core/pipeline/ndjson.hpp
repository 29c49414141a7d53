#pragma once
// The NDJSON stream shapes that let stages run apart and be piped together:
//
//   raw blocks   {"schema":"chainidx.evm.block/1","chain","number","hash","parent_hash",
//                 "timestamp","logs":[{"tx","log_index","address","topics":[…],"data"}]}
//   events       {"schema":"chainidx.block/1","chain","number","hash","parent_hash","timestamp"}
//                then that block's {"schema":"chainidx.event/1","chain","block","block_hash","tx",
//                "index","leg","token","account","delta","id"}
//
// Amounts are decimal strings; hex is lowercase 0x. The same input always gives the same bytes.
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "core/model/types.hpp"

namespace chainidx::pipeline {

inline constexpr const char* k_raw_block_schema = "chainidx.evm.block/1";
inline constexpr const char* k_block_schema = "chainidx.block/1";
inline constexpr const char* k_event_schema = "chainidx.event/1";

// One block and its logs, as fetched.
struct RawBlock {
    BlockHeader header;
    std::vector<RawLog> logs;
};

std::string raw_block_line(const std::string& chain, const RawBlock& block);
std::string block_line(const std::string& chain, const BlockHeader& header);
std::string event_line(const std::string& chain, const BalanceEvent& event);

// Parsing: errors are UsageError("SOURCE:LINE: what is wrong").
struct Where {
    const std::string& source;
    uint64_t line;
};
RawBlock parse_raw_block(const std::string& text, const std::string& chain, const Where& where);

struct ParsedRecord {
    bool is_block = false;
    BlockHeader header;  // when is_block
    BalanceEvent event;  // otherwise
};
ParsedRecord parse_event_record(const std::string& text, const std::string& chain,
                                const Where& where);

}  // namespace chainidx::pipeline
