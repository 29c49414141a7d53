#pragma once
// The NDJSON event stream shared by every chain family, what `backfill --emit events` writes,
// `normalize` prints and `ingest` reads:
//
//   {"schema":"chainidx.block/1","chain","number","hash","parent_hash","timestamp"[,"skipped"]}
//   then that block's {"schema":"chainidx.event/1","chain","block","block_hash","tx","index",
//   "leg","token","account","delta","id"}
//
// Identifiers are written the chain family's way (chain/keys.hpp); amounts are decimal strings.
// The same input always gives the same bytes. Raw blocks are each family's own schema.
#include <string>

#include "core/chain/keys.hpp"
#include "core/model/ndjson_fields.hpp"
#include "core/model/types.hpp"

namespace chainidx::pipeline {

using ndjson::Where;

inline constexpr const char* k_block_schema = "chainidx.block/1";
inline constexpr const char* k_event_schema = "chainidx.event/1";

std::string block_line(const std::string& chain, const chain::KeyFormat& keys,
                       const BlockHeader& header);
std::string event_line(const std::string& chain, const chain::KeyFormat& keys,
                       const BalanceEvent& event);

struct ParsedRecord {
    bool is_block = false;
    BlockHeader header;  // when is_block
    BalanceEvent event;  // otherwise
};
ParsedRecord parse_event_record(const std::string& text, const std::string& chain,
                                const chain::KeyFormat& keys, const Where& where);

}  // namespace chainidx::pipeline
