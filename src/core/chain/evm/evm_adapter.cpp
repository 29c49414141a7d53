#include "core/chain/evm/evm_adapter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/chain/evm/evm_client.hpp"
#include "core/chain/evm/normalizer.hpp"
#include "core/chain/evm/raw_block.hpp"
#include "core/rpc/json_rpc.hpp"

namespace chainidx::evm {

namespace {
// Responses above this are split next time (memory and latency); below a quarter, ranges grow.
constexpr size_t k_target_response_bytes = size_t(8) << 20;
constexpr uint64_t k_initial_range = 50;

// Splits a range's logs by block (they arrive in block order), for raw lines.
std::vector<RawBlock> split_by_block(const std::vector<BlockHeader>& headers,
                                     std::vector<RawLog>& logs) {
    std::vector<RawBlock> blocks(headers.size());
    for (size_t i = 0; i < headers.size(); ++i) blocks[i].header = headers[i];
    const uint64_t from = headers.front().number;
    for (RawLog& log : logs) blocks[log.block_number - from].logs.push_back(std::move(log));
    return blocks;
}
}  // namespace

EvmAdapter::EvmAdapter(const config::ChainConfig& chain)
    : m_chain(chain),
      m_range(
          std::min<uint64_t>(k_initial_range, std::max<uint64_t>(1, chain.batch_blocks.value))) {}

EvmAdapter::~EvmAdapter() = default;

EvmClient& EvmAdapter::client() {
    if (!m_client) m_client = std::make_unique<EvmClient>(m_chain);
    return *m_client;
}

void EvmAdapter::verify() {
    client().verify_chain_id();
}

uint64_t EvmAdapter::head() {
    return client().head();
}

BlockHeader EvmAdapter::header(uint64_t number) {
    return client().header(number);
}

chain::Heights EvmAdapter::heights() {
    chain::Heights h;
    std::optional<uint64_t> fin, safe;
    const bool tags = m_chain.finality.value == "tags";
    bool asked = false;
    if (tags && m_tags_in_one_request) {
        try {
            const EvmClient::HeadAndTags t = client().head_and_tags();
            h.head = t.head;
            fin = t.finalized;
            safe = t.safe;
            asked = true;
        } catch (const rpc::CallError&) {
            // A node without one of the tags fails the batch: ask one by one from now on.
            m_tags_in_one_request = false;
        }
    }
    if (!asked) {
        h.head = client().head();
        if (tags) {
            fin = client().tagged_block("finalized");
            safe = client().tagged_block("safe");
        }
    }
    const uint64_t depth_final =
        h.head >= m_chain.finality_depth.value ? h.head - m_chain.finality_depth.value : 0;
    h.safe = h.finalized = depth_final;
    if (tags) {
        if (fin) {
            h.finalized = *fin;
            h.safe = safe ? std::max(*safe, *fin) : *fin;
        } else if (!m_warned_no_tags) {
            spdlog::warn(
                "{}: the node has no \"finalized\" block tag; counting blocks final {} "
                "blocks behind the head (set finality = \"depth\" to silence this)",
                m_chain.name, m_chain.finality_depth.value);
            m_warned_no_tags = true;
        }
    }
    return h;
}

chain::Fetched EvmAdapter::fetch(uint64_t from, uint64_t to, bool keep_raw) {
    const uint64_t max_range = std::max<uint64_t>(1, m_chain.batch_blocks.value);
    for (;;) {
        uint64_t end = std::min(to, from + m_range - 1);
        evm::EvmClient::Span span;
        try {
            span = client().transfer_span(from, end);
        } catch (const rpc::CallError& e) {
            if (!e.result_too_large() || end == from) throw;
            m_refused = std::min(m_refused, end - from + 1);
            m_range = std::max<uint64_t>(1, (end - from + 1) / 2);
            spdlog::debug("{}: eth_getLogs {}..{} refused ({}); range now {} blocks", m_chain.name,
                          from, end, e.node_message(), m_range);
            continue;
        }
        const size_t bytes = span.logs_response_bytes;
        std::vector<RawLog>& logs = span.logs;
        chain::Fetched f;
        f.from = from;
        f.to = end;
        f.answer_bytes = bytes;
        f.headers = std::move(span.headers);
        if (bytes > k_target_response_bytes && m_range > 1)
            m_range = std::max<uint64_t>(1, m_range / 2);
        else if (bytes < k_target_response_bytes / 4 && end - from + 1 == m_range)
            m_range = std::min({max_range, m_range * 2, m_refused - 1});
        f.stats = normalize_logs(logs, f.events, &f.rejected);
        if (keep_raw)
            for (const RawBlock& b : split_by_block(f.headers, logs))
                f.raw.push_back(raw_block_line(m_chain.name, b));
        return f;
    }
}

chain::OnChainBalances EvmAdapter::balances(uint64_t block,
                                            const std::vector<std::pair<Key, Key>>& pairs) {
    std::vector<std::pair<Address, Address>> asks;
    asks.reserve(pairs.size());
    for (const auto& [token, account] : pairs)
        asks.emplace_back(token.fixed<20>(), account.fixed<20>());
    chain::OnChainBalances out;
    out.values = client().balances_of(block, asks);
    out.answered_at = block;
    out.method = "eth_call balanceOf";
    return out;
}

chain::Fetched EvmAdapter::normalize_raw(const std::string& line, const ndjson::Where& where) {
    RawBlock b = parse_raw_block(line, m_chain.name, where);
    chain::Fetched f;
    f.from = f.to = b.header.number;
    f.headers.push_back(b.header);
    f.stats = normalize_logs(b.logs, f.events, &f.rejected);
    return f;
}

void EvmAdapter::trim() {
    if (m_client) m_client->trim();
}

}  // namespace chainidx::evm
