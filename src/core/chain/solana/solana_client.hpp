#pragma once
// The Solana adapter's view of a node: genesis hash, slots per commitment, which slots have a
// block, getBlock results, and balances for reconcile. Validates the shapes of what the node
// returns; errors name the method, the slot and the (redacted) endpoint.
#include <simdjson.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/config.hpp"
#include "core/model/types.hpp"

namespace chainidx::rpc {
class JsonRpcClient;
class CallError;
}  // namespace chainidx::rpc

namespace chainidx::solana {

class SolanaClient {
  public:
    explicit SolanaClient(const config::ChainConfig& chain);
    ~SolanaClient();

    std::string genesis_hash();
    // getSlot at `commitment` (processed, confirmed or finalized).
    uint64_t slot(std::string_view commitment);
    // The slots of [from, to] that have a block (getBlocks), ascending.
    std::vector<uint64_t> block_slots(uint64_t from, uint64_t to);
    // The first slot at or above `from` with a block (getBlocksWithLimit); nullopt when the node
    // has none yet at its commitment.
    std::optional<uint64_t> first_block_from(uint64_t from);

    // getBlock with full transactions of each slot, in order. `each` sees each result while it
    // is valid (the next call reuses the parser), nullptr for a slot the node says was skipped.
    // Throws RpcError (retryable) for a block not available yet (-32004).
    using BlockFn = std::function<void(uint64_t slot, const simdjson::dom::element* block)>;
    void full_blocks(const std::vector<uint64_t>& slots, const BlockFn& each);
    // getBlock calls per batch now: what the node's answers have shown fits the target size.
    size_t blocks_per_request() const { return m_blocks_per_request; }
    // The largest batch answer since the last call (the fetcher's memory budget).
    size_t take_largest_answer_bytes() { return std::exchange(m_largest_answer, 0); }
    // getBlock without transactions: the block's header, nullopt when the slot was skipped.
    std::optional<BlockHeader> header(uint64_t slot);

    // getBalance of each account; nullopt where the node refuses. `answered_at` is raised to
    // the slot the node answered at.
    std::vector<std::optional<Amount>> lamports(const std::vector<Key>& accounts,
                                                uint64_t& answered_at);
    // The (owner, mint) balance: the sum over the owner's token accounts of that mint
    // (getTokenAccountsByOwner); when there is none, `owner` may be a token account itself (old
    // blocks name no owner): its own balance (getTokenAccountBalance), 0 when it is not one.
    std::vector<std::optional<Amount>> token_balances(
        const std::vector<std::pair<Key, Key>>& owner_mint, uint64_t& answered_at);

    const std::string& endpoint() const;
    // Drops the large buffers the last answer left (see JsonRpcClient::trim).
    void trim();

  private:
    // Calls `method` once per params entry, up to `per_request` per batch, handing `fn` each
    // answer while it is valid, or the node's error for that call (asked alone once a batch
    // fails on one call's error).
    using AnswerFn = std::function<void(size_t i, const simdjson::dom::element* result,
                                        const rpc::CallError* error)>;
    void each_answer(std::string_view method, const std::vector<std::string>& params,
                     size_t& per_request, const AnswerFn& fn);
    std::string block_params(uint64_t slot, bool full) const;

    const config::ChainConfig& m_chain;
    std::unique_ptr<rpc::JsonRpcClient> m_rpc;
    std::string m_commitment;         // for getSlot and balances, as configured
    std::string m_block_commitment;   // for getBlock(s): they refuse "processed"
    size_t m_blocks_per_request = 4;  // getBlock calls per batch now (sized by response bytes)
    size_t m_largest_answer = 0;      // since take_largest_answer_bytes()
};

}  // namespace chainidx::solana
