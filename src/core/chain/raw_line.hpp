#pragma once
// Opening a raw-block NDJSON line of the families that embed the node's block JSON (Bitcoin,
// Solana): parse it with simdjson and check its "schema" and "chain". Errors are UsageErrors
// "SOURCE:LINE: what is wrong" (ndjson::fail).
#include <simdjson.h>

#include <string>

#include "core/model/ndjson_fields.hpp"

namespace chainidx::chain {

// The parsed line; valid while `parser` lives and parses nothing else.
simdjson::dom::element open_raw_line(simdjson::dom::parser& parser, const std::string& text,
                                     const std::string& chain, const char* schema,
                                     const ndjson::Where& where);

}  // namespace chainidx::chain
