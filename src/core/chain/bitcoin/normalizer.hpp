#pragma once
// The Bitcoin normalizer: a pure function from one `getblock` result (verbosity 2 or 3, amounts
// kept as their exact text, see rpc/exact_numbers.hpp) to balance events:
//   output n of tx T   credits its owner (script_owner.hpp): leg 1, index n; OP_RETURN
//                      (nulldata) and zero-value outputs hold no balance and get no event
//   input k of tx T    debits the owner of the output it spends: leg 0, index k; coinbase
//                      inputs debit nobody
// With verbosity 3 the input's `prevout` says what it spends; without it (older nodes) the debit
// is left unresolved (Spend::unresolved_event) for pipeline::resolve_spends to fill in from the
// UTXO table. Every spendable output is also returned as a Utxo, every input as a Spend.
// A transaction that cannot be read becomes a chain::Rejected with its JSON; the rest of the
// block still counts.
#include <simdjson.h>

#include "core/chain/adapter.hpp"

namespace chainidx::bitcoin {

// The block's header; throws RpcError (retryable: a broken answer) naming `ctx` when the block's
// own fields are unreadable.
BlockHeader parse_block_header(simdjson::dom::element block, const std::string& ctx);

// Appends the header, events, created outputs, spends and rejects of `block` to `out`.
void normalize_block(simdjson::dom::element block, const std::string& ctx, chain::Fetched& out);

}  // namespace chainidx::bitcoin
