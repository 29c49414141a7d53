#include "core/chain/solana/solana_adapter.hpp"

#include <algorithm>

#include "core/chain/solana/normalizer.hpp"
#include "core/chain/solana/raw_block.hpp"
#include "core/chain/solana/solana_client.hpp"

namespace chainidx::solana {

SolanaAdapter::SolanaAdapter(const config::ChainConfig& chain) : m_chain(chain) {}

SolanaAdapter::~SolanaAdapter() = default;

SolanaClient& SolanaAdapter::client() {
    if (!m_client) m_client = std::make_unique<SolanaClient>(m_chain);
    return *m_client;
}

void SolanaAdapter::verify() {
    const std::string& expected = m_chain.genesis_hash.value;
    if (expected.empty()) return;  // not configured: any cluster is accepted
    const std::string got = client().genesis_hash();
    if (got != expected)
        throw UsageError("chain " + m_chain.name + ": the node at " + client().endpoint() +
                         " reports genesis hash " + got + ", but the config says " + expected +
                         " (genesis_hash, " + m_chain.genesis_hash.origin +
                         "); is the RPC URL for the right cluster?");
}

uint64_t SolanaAdapter::head() {
    return client().slot(m_chain.commitment.value);
}

chain::Heights SolanaAdapter::heights() {
    chain::Heights h;
    h.head = client().slot(m_chain.commitment.value);
    if (m_chain.finality.value == "depth") {
        const uint64_t depth = m_chain.finality_depth.value;
        h.safe = h.finalized = h.head >= depth ? h.head - depth : 0;
    } else {
        h.safe = h.finalized = client().slot("finalized");
    }
    return h;
}

Hash32 SolanaAdapter::hash_below_skipped(uint64_t slot) {
    const std::optional<uint64_t> above = client().first_block_from(slot + 1);
    if (!above)
        throw RpcError(m_chain.name + ": slot " + std::to_string(slot) +
                           " was skipped, and the node at " + client().endpoint() +
                           " has no block above it yet (commitment " + m_chain.commitment.value +
                           "), so the block below it is not known",
                       true);
    // Every slot from `slot` to the block above was skipped: its parent is the block below.
    return parent_of(*above);
}

Hash32 SolanaAdapter::parent_of(uint64_t slot) {
    const std::optional<BlockHeader> h = client().header(slot);
    if (!h)
        throw RpcError(m_chain.name + ": getBlocksWithLimit listed slot " + std::to_string(slot) +
                           ", then getBlock said it was skipped via " + client().endpoint() +
                           " (the chain moved)",
                       true);
    return h->parent_hash;
}

BlockHeader SolanaAdapter::header(uint64_t number) {
    if (std::optional<BlockHeader> h = client().header(number)) return *h;
    BlockHeader s;
    s.number = number;
    s.skipped = true;
    s.hash = s.parent_hash = hash_below_skipped(number);
    return s;
}

uint64_t SolanaAdapter::span_hint() const {
    // One getBlock batch a span: a span of batch_blocks mainnet slots was fetched by one worker
    // in several batches, all of its events held at once (~120 MB for 50 slots).
    const uint64_t per_request = m_client ? m_client->blocks_per_request() : 4;
    return std::clamp<uint64_t>(per_request, 1, std::max<uint64_t>(1, m_chain.batch_blocks.value));
}

chain::Fetched SolanaAdapter::fetch(uint64_t from, uint64_t to, bool keep_raw) {
    const uint64_t span = span_hint();
    uint64_t end = to - from < span ? to : from + span - 1;
    const std::vector<uint64_t> listed = client().block_slots(from, end);

    chain::Fetched f;
    f.from = from;
    std::vector<std::optional<BlockHeader>> blocks(end - from + 1);
    std::vector<std::string> json(keep_raw ? blocks.size() : 0);
    client().take_largest_answer_bytes();
    client().full_blocks(listed, [&](uint64_t slot, const simdjson::dom::element* block) {
        if (!block) return;  // skipped after all
        const std::string ctx = "getBlock(" + std::to_string(slot) + ") via " + client().endpoint();
        blocks[slot - from] = normalize_block(*block, slot, ctx, f);
        if (keep_raw) json[slot - from] = simdjson::to_string(*block);
    });
    f.answer_bytes = client().take_largest_answer_bytes();

    // Slots above the last block are skipped only once the node has a block above them;
    // until then they may be blocks not yet confirmed.
    auto last =
        std::find_if(blocks.rbegin(), blocks.rend(), [](const auto& b) { return b.has_value(); });
    const bool none = last == blocks.rend();
    std::optional<Hash32> below;  // the hash of the nearest block below `from`, when needed
    if (none || last != blocks.rbegin()) {
        const std::optional<uint64_t> above = client().first_block_from(end + 1);
        if (!above && none)
            throw RpcError(m_chain.name + ": the node at " + client().endpoint() +
                               " has no block in slots " + std::to_string(from) + ".." +
                               std::to_string(end) + " nor above them yet (commitment " +
                               m_chain.commitment.value + ")",
                           true);
        if (!above) {
            blocks.erase(last.base(), blocks.end());
            end = from + blocks.size() - 1;
        } else if (none) {
            below = parent_of(*above);  // every slot up to it was skipped
        }
    }
    if (!below && !blocks.front()) {
        auto first =
            std::find_if(blocks.begin(), blocks.end(), [](const auto& b) { return b.has_value(); });
        below = (*first)->parent_hash;
    }

    f.to = end;
    f.headers.reserve(blocks.size());
    Hash32 prev = below.value_or(Hash32{});
    for (size_t i = 0; i < blocks.size(); ++i) {
        if (blocks[i]) {
            f.headers.push_back(*blocks[i]);
            prev = blocks[i]->hash;
        } else {
            BlockHeader s;
            s.number = from + i;
            s.skipped = true;
            s.hash = s.parent_hash = prev;
            f.headers.push_back(s);
        }
        if (keep_raw) f.raw.push_back(raw_block_line(m_chain.name, f.headers.back(), json[i]));
    }
    return f;
}

chain::OnChainBalances SolanaAdapter::balances(uint64_t block,
                                               const std::vector<std::pair<Key, Key>>& pairs) {
    std::vector<size_t> sol_at, spl_at;
    std::vector<Key> accounts;
    std::vector<std::pair<Key, Key>> owner_mint;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const auto& [token, account] = pairs[i];
        if (token.empty()) {
            sol_at.push_back(i);
            accounts.push_back(account);
        } else {
            spl_at.push_back(i);
            owner_mint.emplace_back(account, token);
        }
    }
    chain::OnChainBalances out;
    out.values.resize(pairs.size());
    uint64_t answered_at = 0;
    if (!accounts.empty()) {
        auto v = client().lamports(accounts, answered_at);
        for (size_t j = 0; j < v.size(); ++j) out.values[sol_at[j]] = v[j];
    }
    if (!owner_mint.empty()) {
        auto v = client().token_balances(owner_mint, answered_at);
        for (size_t j = 0; j < v.size(); ++j) out.values[spl_at[j]] = v[j];
    }
    // The node answers at its commitment's slot only, whatever `block` was asked.
    out.answered_at = answered_at ? answered_at : block;
    out.method = "getBalance/getTokenAccountsByOwner";
    return out;
}

chain::Fetched SolanaAdapter::normalize_raw(const std::string& line, const ndjson::Where& where) {
    return normalize_raw_line(line, m_chain.name, where);
}

void SolanaAdapter::trim() {
    if (m_client) m_client->trim();
}

}  // namespace chainidx::solana
