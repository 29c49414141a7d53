#pragma once
// The Solana normalizer: a pure function from one `getBlock` result (encoding json,
// transactionDetails full) to balance events. Per transaction (tx key: its first signature):
//   SOL   leg 0, index i: postBalances[i] - preBalances[i] of account i, over the static account
//         keys then meta.loadedAddresses.writable then .readonly (v0 lookup tables)
//   SPL   leg 1, index = accountIndex: post - pre uiTokenAmount.amount of a token account (a
//         missing side is 0), token = the mint, account = the entry's owner (post's, else pre's),
//         else the token account itself (old blocks have no owner)
// and per block reward (tx key: the blockhash) leg 2, index = position: its signed lamports.
// Failed transactions count like the others: they pay their fee. Zero deltas make no event.
// An item that cannot be read becomes a chain::Rejected with its JSON; the rest still counts.
#include <simdjson.h>

#include <string>

#include "core/chain/adapter.hpp"

namespace chainidx::solana {

// Reads the block's own fields (blockhash, previousBlockhash, blockTime) for `slot`; throws
// RpcError (retryable: a broken answer) naming `ctx` when they are unreadable.
BlockHeader parse_block_header(simdjson::dom::element block, uint64_t slot, const std::string& ctx);

// Appends the events, rejects and stats of `block` to `out` (not its header, which it returns:
// the caller puts it among the skipped slots).
BlockHeader normalize_block(simdjson::dom::element block, uint64_t slot, const std::string& ctx,
                            chain::Fetched& out);

}  // namespace chainidx::solana
