#include "core/chain/solana/solana_client.hpp"

#include <algorithm>

#include "core/chain/node_rpc.hpp"
#include "core/chain/solana/normalizer.hpp"
#include "core/model/base58.hpp"
#include "core/rpc/json_rpc.hpp"

namespace chainidx::solana {

namespace {

using simdjson::dom::element;

// getBlock batches above this are halved next time (memory: an answer in flight holds ~3x its
// size while parsed); below a quarter they grow. A mainnet block with full transactions is a few
// MB of JSON, so a batch there is one or two blocks.
constexpr size_t k_target_response_bytes = size_t(8) << 20;
constexpr size_t k_max_per_request = 100;  // calls per batch every provider accepts

// The node's JSON-RPC error codes for getBlock (solana-rpc-client-api custom_error.rs).
constexpr int64_t k_block_not_available = -32004;
constexpr int64_t k_slot_skipped = -32007;
constexpr int64_t k_long_term_storage_slot_skipped = -32009;
constexpr int64_t k_invalid_params = -32602;

// The node's error, with the call's context (method, slot, endpoint) in front.
[[noreturn]] void throw_with_context(const std::string& ctx, const rpc::CallError& e) {
    throw rpc::CallError(ctx + ": node error " + std::to_string(e.code()) + ": " + e.node_message(),
                         e.code(), e.node_message(), e.retryable());
}

std::string b58(const Key& k) {
    return base58::encode(k.data(), k.size());
}

std::string commitment_json(const std::string& c) {
    return "{\"commitment\":\"" + c + "\"}";
}

// {context:{slot}, value} answers: raises `answered_at` to the context's slot.
element value_of(element result, const std::string& ctx, uint64_t& answered_at) {
    uint64_t slot = 0;
    element value;
    if (result["context"]["slot"].get(slot) != simdjson::SUCCESS ||
        result["value"].get(value) != simdjson::SUCCESS)
        throw RpcError(ctx + ": the answer has no context.slot or value", true);
    answered_at = std::max(answered_at, slot);
    return value;
}

Amount decimal_of(element obj, const char* field, const std::string& ctx) {
    std::string_view text;
    if (obj[field].get(text) != simdjson::SUCCESS)
        throw RpcError(ctx + ": field \"" + field + "\" is missing or not a string", true);
    try {
        return Amount::from_decimal(text);
    } catch (const UsageError& e) {
        throw RpcError(ctx + ": " + e.what(), true);
    }
}

}  // namespace

SolanaClient::SolanaClient(const config::ChainConfig& chain)
    : m_chain(chain),
      m_rpc(chain::rpc_client_for(chain)),
      m_commitment(chain.commitment.value),
      m_block_commitment(chain.commitment.value == "processed" ? "confirmed"
                                                               : chain.commitment.value) {}

SolanaClient::~SolanaClient() = default;

const std::string& SolanaClient::endpoint() const {
    return m_rpc->endpoint();
}

std::string SolanaClient::genesis_hash() {
    std::string_view v;
    if (m_rpc->call("getGenesisHash", "[]").get(v) != simdjson::SUCCESS)
        throw RpcError("getGenesisHash via " + endpoint() + ": result is not a string", true);
    return std::string(v);
}

uint64_t SolanaClient::slot(std::string_view commitment) {
    uint64_t v = 0;
    const std::string c(commitment);
    if (m_rpc->call("getSlot", "[" + commitment_json(c) + "]").get(v) != simdjson::SUCCESS)
        throw RpcError("getSlot(" + c + ") via " + endpoint() + ": result is not a slot number",
                       true);
    return v;
}

std::vector<uint64_t> SolanaClient::block_slots(uint64_t from, uint64_t to) {
    const std::string ctx =
        "getBlocks " + std::to_string(from) + ".." + std::to_string(to) + " via " + endpoint();
    simdjson::dom::array list;
    if (m_rpc
            ->call("getBlocks", "[" + std::to_string(from) + "," + std::to_string(to) + "," +
                                    commitment_json(m_block_commitment) + "]")
            .get(list) != simdjson::SUCCESS)
        throw RpcError(ctx + ": result is not an array", true);
    std::vector<uint64_t> out;
    for (element e : list) {
        uint64_t s = 0;
        if (e.get(s) != simdjson::SUCCESS || s < from || s > to ||
            (!out.empty() && s <= out.back()))
            throw RpcError(ctx + ": the answer is not an ascending list of slots in the range",
                           true);
        out.push_back(s);
    }
    return out;
}

std::optional<uint64_t> SolanaClient::first_block_from(uint64_t from) {
    const std::string ctx = "getBlocksWithLimit(" + std::to_string(from) + ", 1) via " + endpoint();
    simdjson::dom::array list;
    if (m_rpc
            ->call("getBlocksWithLimit",
                   "[" + std::to_string(from) + ",1," + commitment_json(m_block_commitment) + "]")
            .get(list) != simdjson::SUCCESS)
        throw RpcError(ctx + ": result is not an array", true);
    for (element e : list) {
        uint64_t s = 0;
        if (e.get(s) != simdjson::SUCCESS || s < from)
            throw RpcError(ctx + ": the answer is not a slot at or above " + std::to_string(from),
                           true);
        return s;
    }
    return std::nullopt;
}

std::string SolanaClient::block_params(uint64_t slot, bool full) const {
    return "[" + std::to_string(slot) + R"(,{"encoding":"json","transactionDetails":")" +
           (full ? "full" : "none") + R"(","maxSupportedTransactionVersion":0,"rewards":)" +
           (full ? "true" : "false") + R"(,"commitment":")" + m_block_commitment + "\"}]";
}

void SolanaClient::each_answer(std::string_view method, const std::vector<std::string>& params,
                               size_t& per_request, const AnswerFn& fn) {
    for (size_t start = 0; start < params.size();) {
        const size_t n = std::min(std::max<size_t>(1, per_request), params.size() - start);
        const std::vector<std::string> chunk(params.begin() + static_cast<ptrdiff_t>(start),
                                             params.begin() + static_cast<ptrdiff_t>(start + n));
        std::vector<element> results;
        bool one_by_one = false;
        try {
            results = m_rpc->batch(method, chunk);
        } catch (const rpc::CallError& e) {
            if (e.result_too_large() && n > 1) {
                per_request = n / 2;
                continue;
            }
            one_by_one = true;  // one call's error fails the whole batch: ask each alone
        }
        if (!one_by_one) {
            const size_t bytes = m_rpc->last_response_bytes();
            m_largest_answer = std::max(m_largest_answer, bytes);
            if (bytes > k_target_response_bytes && n > 1)
                per_request = n / 2;
            else if (bytes < k_target_response_bytes / 4 && n == per_request)
                per_request = std::min(k_max_per_request, per_request * 2);
            for (size_t i = 0; i < n; ++i) fn(start + i, &results[i], nullptr);
        } else {
            for (size_t i = 0; i < n; ++i) {
                element r;
                try {
                    r = m_rpc->call(method, chunk[i]);
                } catch (const rpc::CallError& e) {
                    fn(start + i, nullptr, &e);
                    continue;
                }
                fn(start + i, &r, nullptr);
            }
        }
        start += n;
    }
}

void SolanaClient::full_blocks(const std::vector<uint64_t>& slots, const BlockFn& each) {
    std::vector<std::string> params;
    params.reserve(slots.size());
    for (uint64_t s : slots) params.push_back(block_params(s, true));
    each_answer("getBlock", params, m_blocks_per_request,
                [&](size_t i, const element* block, const rpc::CallError* error) {
                    const std::string ctx =
                        "getBlock(" + std::to_string(slots[i]) + ") via " + endpoint();
                    if (error) {
                        if (error->code() == k_slot_skipped ||
                            error->code() == k_long_term_storage_slot_skipped)
                            return each(slots[i], nullptr);  // listed, then skipped: a fork
                        if (error->code() == k_block_not_available)
                            throw RpcError(ctx + ": the block is not available yet (" +
                                               error->node_message() + ")",
                                           true);
                        throw_with_context(ctx, *error);
                    }
                    if (block->is_null())
                        throw RpcError(ctx + ": the node answered null for a listed slot", true);
                    each(slots[i], block);
                });
}

std::optional<BlockHeader> SolanaClient::header(uint64_t slot) {
    const std::string ctx = "getBlock(" + std::to_string(slot) + ") via " + endpoint();
    element block;
    try {
        block = m_rpc->call("getBlock", block_params(slot, false));
    } catch (const rpc::CallError& e) {
        if (e.code() == k_slot_skipped || e.code() == k_long_term_storage_slot_skipped)
            return std::nullopt;
        if (e.code() == k_block_not_available)
            throw RpcError(ctx + ": the block is not available yet (" + e.node_message() + ")",
                           true);
        throw_with_context(ctx, e);
    }
    if (block.is_null()) throw RpcError(ctx + ": the node answered null", true);
    return parse_block_header(block, slot, ctx);
}

std::vector<std::optional<Amount>> SolanaClient::lamports(const std::vector<Key>& accounts,
                                                          uint64_t& answered_at) {
    std::vector<std::string> params;
    for (const Key& a : accounts)
        params.push_back("[\"" + b58(a) + "\"," + commitment_json(m_commitment) + "]");
    std::vector<std::optional<Amount>> out(accounts.size());
    size_t per_request = k_max_per_request;
    each_answer("getBalance", params, per_request,
                [&](size_t i, const element* result, const rpc::CallError* error) {
                    if (error) return;  // not a public key: the node cannot say
                    const std::string ctx =
                        "getBalance(" + b58(accounts[i]) + ") via " + endpoint();
                    uint64_t v = 0;
                    if (value_of(*result, ctx, answered_at).get(v) != simdjson::SUCCESS)
                        throw RpcError(ctx + ": value is not an unsigned integer", true);
                    out[i] = Amount::from_u64(v);
                });
    return out;
}

std::vector<std::optional<Amount>> SolanaClient::token_balances(
    const std::vector<std::pair<Key, Key>>& owner_mint, uint64_t& answered_at) {
    std::vector<std::string> params;
    for (const auto& [owner, mint] : owner_mint)
        params.push_back("[\"" + b58(owner) + "\",{\"mint\":\"" + b58(mint) +
                         R"("},{"encoding":"jsonParsed","commitment":")" + m_commitment + "\"}]");
    std::vector<std::optional<Amount>> out(owner_mint.size());
    std::vector<size_t> no_account;  // maybe a token account itself
    size_t per_request = k_max_per_request;
    each_answer("getTokenAccountsByOwner", params, per_request,
                [&](size_t i, const element* result, const rpc::CallError* error) {
                    if (error) return;
                    const std::string mint = b58(owner_mint[i].second);
                    const std::string ctx = "getTokenAccountsByOwner(" + b58(owner_mint[i].first) +
                                            ", " + mint + ") via " + endpoint();
                    simdjson::dom::array accounts;
                    if (value_of(*result, ctx, answered_at).get(accounts) != simdjson::SUCCESS)
                        throw RpcError(ctx + ": value is not an array", true);
                    Amount sum;
                    size_t count = 0;
                    for (element a : accounts) {
                        element info;
                        std::string_view its_mint;
                        if (a["account"]["data"]["parsed"]["info"].get(info) != simdjson::SUCCESS ||
                            info["mint"].get(its_mint) != simdjson::SUCCESS)
                            throw RpcError(
                                ctx + ": an account has no parsed info (jsonParsed asked for)",
                                true);
                        if (its_mint != mint) continue;  // the filter asked for this mint only
                        element amount;
                        if (info["tokenAmount"].get(amount) != simdjson::SUCCESS)
                            throw RpcError(ctx + ": an account has no tokenAmount", true);
                        sum = sum + decimal_of(amount, "amount", ctx);
                        ++count;
                    }
                    if (count == 0)
                        no_account.push_back(i);
                    else
                        out[i] = sum;
                });
    if (no_account.empty()) return out;
    // getTokenAccountBalance does not say the account's mint: a token account's events carry
    // the mint it holds, so the pair's mint is taken as that one.
    params.clear();
    for (size_t i : no_account)
        params.push_back("[\"" + b58(owner_mint[i].first) + "\"," + commitment_json(m_commitment) +
                         "]");
    per_request = k_max_per_request;
    each_answer("getTokenAccountBalance", params, per_request,
                [&](size_t j, const element* result, const rpc::CallError* error) {
                    const size_t i = no_account[j];
                    if (error) {
                        // Not a token account (any more): that owner holds none of the mint.
                        if (error->code() == k_invalid_params) out[i] = Amount();
                        return;
                    }
                    const std::string ctx = "getTokenAccountBalance(" + b58(owner_mint[i].first) +
                                            ") via " + endpoint();
                    out[i] = decimal_of(value_of(*result, ctx, answered_at), "amount", ctx);
                });
    return out;
}

void SolanaClient::trim() {
    if (m_rpc) m_rpc->trim();
}

}  // namespace chainidx::solana
