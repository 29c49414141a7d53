#include "core/chain/bitcoin/bitcoin_adapter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/chain/bitcoin/bitcoin_client.hpp"
#include "core/chain/bitcoin/normalizer.hpp"
#include "core/chain/bitcoin/raw_block.hpp"
#include "core/chain/bitcoin/script_owner.hpp"
#include "core/chain/keys.hpp"
#include "core/rpc/json_rpc.hpp"

namespace chainidx::bitcoin {

namespace {
// Answers above this are split next time (memory); below a quarter, spans grow. A verbosity-3
// block of today's mainnet is several MB of JSON.
constexpr size_t k_target_response_bytes = size_t(32) << 20;

// The node does not know verbosity 3 (Bitcoin Core before 23 refuses it, others say so).
bool refuses_verbosity(const rpc::CallError& e) {
    return e.code() == -8 || e.code() == -32602;
}
}  // namespace

BitcoinAdapter::BitcoinAdapter(const config::ChainConfig& chain) : m_chain(chain) {}

BitcoinAdapter::~BitcoinAdapter() = default;

BitcoinClient& BitcoinAdapter::client() {
    if (!m_client) m_client = std::make_unique<BitcoinClient>(m_chain);
    return *m_client;
}

void BitcoinAdapter::verify() {
    const chain::KeyFormat keys(chain::Family::bitcoin);
    const std::string expected = m_chain.genesis_hash.value;
    const std::string got = keys.block_hash(client().block_hash(0));
    if (got != expected)
        throw UsageError("chain " + m_chain.name + ": the node at " + client().endpoint() +
                         " serves another chain: its block 0 is " + got + ", expected " + expected +
                         " (genesis_hash, " + m_chain.genesis_hash.origin +
                         "). Check the rpc URL, or set genesis_hash for a test network.");
}

uint64_t BitcoinAdapter::head() {
    return client().block_count();
}

BlockHeader BitcoinAdapter::header(uint64_t number) {
    return client().header(number);
}

chain::Heights BitcoinAdapter::heights() {
    chain::Heights h;
    h.head = client().block_count();
    const uint64_t depth = m_chain.finality_depth.value;
    h.safe = h.finalized = h.head >= depth ? h.head - depth : 0;
    return h;
}

chain::Fetched BitcoinAdapter::fetch(uint64_t from, uint64_t to, bool keep_raw) {
    const uint64_t max_span = std::max<uint64_t>(1, m_chain.batch_blocks.value);
    for (;;) {
        const uint64_t end = std::min(to, from + m_span - 1);
        const std::vector<Hash32> hashes = client().block_hashes(from, end);
        std::vector<simdjson::dom::element> blocks;
        try {
            blocks = client().blocks(hashes, m_verbosity);
        } catch (const rpc::CallError& e) {
            if (e.result_too_large() && end > from) {
                m_span = std::max<uint64_t>(1, (end - from + 1) / 2);
                continue;
            }
            if (m_verbosity == 3 && refuses_verbosity(e)) {
                spdlog::warn(
                    "{}: the node does not serve getblock verbosity 3 ({}); reading blocks "
                    "with verbosity 2 and resolving inputs from chainidx's UTXO table",
                    m_chain.name, e.node_message());
                m_verbosity = 2;
                continue;
            }
            throw;
        }
        const size_t bytes = client().last_response_bytes();
        chain::Fetched f;
        f.from = from;
        f.to = end;
        f.answer_bytes = bytes;
        for (size_t i = 0; i < blocks.size(); ++i) {
            const std::string ctx =
                where("getblock", client()) + " (block " + std::to_string(from + i) + ")";
            normalize_block(blocks[i], ctx, f);
            const BlockHeader& got = f.headers.back();
            if (got.number != from + i || got.hash != hashes[i])
                throw RpcError(ctx + ": the node answered with block " +
                                   std::to_string(got.number) + " of another hash",
                               true);
            if (keep_raw) f.raw.push_back(raw_block_line(m_chain.name, got, blocks[i]));
        }
        if (bytes > k_target_response_bytes && m_span > 1)
            m_span = std::max<uint64_t>(1, m_span / 2);
        else if (bytes < k_target_response_bytes / 4 && end - from + 1 == m_span)
            m_span = std::min(max_span, m_span * 2);
        return f;
    }
}

chain::OnChainBalances BitcoinAdapter::balances(uint64_t block,
                                                const std::vector<std::pair<Key, Key>>& pairs) {
    chain::OnChainBalances out;
    out.method = "scantxoutset";
    out.answered_at = block;
    for (const auto& [token, account] : pairs) {
        const std::string address(account.text());
        // A script id names a hash of the script, which scantxoutset cannot be asked for.
        if (!token.empty() || is_script_id(address)) {
            out.values.emplace_back();
            continue;
        }
        try {
            BitcoinClient::Scan s = client().scan_address(address);
            out.values.push_back(Amount::from_u64(static_cast<uint64_t>(s.satoshis)));
            out.answered_at = s.height;
        } catch (const rpc::CallError& e) {
            spdlog::warn("{}: scantxoutset cannot scan for {}: {}", m_chain.name, address,
                         e.node_message());
            out.values.emplace_back();
        }
    }
    return out;
}

chain::Fetched BitcoinAdapter::normalize_raw(const std::string& line, const ndjson::Where& where) {
    return normalize_raw_line(line, m_chain.name, where);
}

void BitcoinAdapter::trim() {
    if (m_client) m_client->trim();
}

}  // namespace chainidx::bitcoin
