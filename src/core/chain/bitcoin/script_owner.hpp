#pragma once
// Who holds a Bitcoin output: its address when the node gives one (`scriptPubKey.address`, or
// old nodes' `addresses` when it has exactly one), else a stable script id,
// "script:" + the first 20 bytes of sha256(script) in hex — bare multisig, P2PK on new nodes,
// non-standard scripts. Never dropped: the id is reported like an address.
#include <string>
#include <string_view>

#include "core/model/key.hpp"

namespace chainidx::bitcoin {

// "script:<40 hex>" of a script given as hex; throws UsageError when it is not hex.
std::string script_id(std::string_view script_hex);
inline bool is_script_id(std::string_view account) {
    return account.rfind("script:", 0) == 0;
}

}  // namespace chainidx::bitcoin
