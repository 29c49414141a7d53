#include "core/chain/evm/evm_client.hpp"

#include "core/chain/evm/normalizer.hpp"
#include "core/chain/node_rpc.hpp"
#include "core/rpc/json_rpc.hpp"

namespace chainidx::evm {

namespace {

using simdjson::dom::element;

// Field access that names the method and field when the node's JSON has the wrong shape.
std::string_view str_field(element obj, const char* field, const std::string& ctx) {
    std::string_view v;
    if (obj[field].get(v) != simdjson::SUCCESS)
        throw RpcError(ctx + ": field \"" + field + "\" is missing or not a string", true);
    return v;
}

template <class Fn>
auto wrap_decode(const std::string& ctx, Fn&& fn) {
    try {
        return fn();
    } catch (const UsageError& e) {
        throw RpcError(ctx + ": " + e.what(), true);
    }
}

// eth_getBlockByNumber's params for block `n`, without transactions.
std::string block_params(uint64_t n) {
    return "[\"" + hex::to_quantity(n) + "\",false]";
}

BlockHeader parse_header(element block, uint64_t expected, const std::string& ctx) {
    if (block.is_null())
        throw RpcError(ctx + ": the node does not have block " + std::to_string(expected) +
                           " (still syncing, or behind a load balancer?)",
                       true);
    return wrap_decode(ctx, [&] {
        BlockHeader h;
        h.number = hex::parse_quantity(str_field(block, "number", ctx), "number");
        h.hash = hex::decode_fixed<32>(str_field(block, "hash", ctx), "hash");
        h.parent_hash = hex::decode_fixed<32>(str_field(block, "parentHash", ctx), "parentHash");
        h.timestamp = hex::parse_quantity(str_field(block, "timestamp", ctx), "timestamp");
        if (h.number != expected)
            throw RpcError(ctx + ": asked for block " + std::to_string(expected) + ", got " +
                               std::to_string(h.number),
                           true);
        return h;
    });
}

}  // namespace

EvmClient::EvmClient(const config::ChainConfig& chain) : m_chain(chain) {
    m_rpc = chain::rpc_client_for(chain);
    if (!chain.tokens.value.empty()) {
        m_token_filter = "[";
        for (size_t i = 0; i < chain.tokens.value.size(); ++i) {
            if (i) m_token_filter += ',';
            m_token_filter += '"';
            m_token_filter += hex::encode(chain.tokens.value[i]);
            m_token_filter += '"';
        }
        m_token_filter += "]";
    }
}

EvmClient::~EvmClient() = default;

size_t EvmClient::last_response_bytes() const {
    return m_rpc->last_response_bytes();
}
const std::string& EvmClient::endpoint() const {
    return m_rpc->endpoint();
}

uint64_t EvmClient::chain_id() {
    std::string_view v;
    if (m_rpc->call("eth_chainId", "[]").get(v) != simdjson::SUCCESS)
        throw RpcError("eth_chainId via " + endpoint() + ": result is not a string", true);
    return wrap_decode("eth_chainId via " + endpoint(),
                       [&] { return hex::parse_quantity(v, "chain id"); });
}

void EvmClient::verify_chain_id() {
    uint64_t id = chain_id();
    if (id != m_chain.chain_id.value)
        throw UsageError("chain " + m_chain.name + ": the node at " + endpoint() +
                         " reports eth_chainId " + std::to_string(id) + ", but the config says " +
                         std::to_string(m_chain.chain_id.value) + " (" + m_chain.chain_id.origin +
                         "); is the RPC URL for the right chain?");
}

uint64_t EvmClient::head() {
    std::string_view v;
    if (m_rpc->call("eth_blockNumber", "[]").get(v) != simdjson::SUCCESS)
        throw RpcError("eth_blockNumber via " + endpoint() + ": result is not a string", true);
    return wrap_decode("eth_blockNumber via " + endpoint(),
                       [&] { return hex::parse_quantity(v, "block number"); });
}

std::optional<uint64_t> EvmClient::tagged_block(const char* tag) {
    std::string ctx = std::string("eth_getBlockByNumber(\"") + tag + "\") via " + endpoint();
    element block;
    try {
        block = m_rpc->call("eth_getBlockByNumber", std::string("[\"") + tag + "\",false]");
    } catch (const rpc::CallError&) {
        return std::nullopt;  // the node does not know the tag (pre-merge chains, old nodes)
    }
    if (block.is_null()) return std::nullopt;
    return wrap_decode(
        ctx, [&] { return hex::parse_quantity(str_field(block, "number", ctx), "number"); });
}

EvmClient::HeadAndTags EvmClient::head_and_tags() {
    auto results =
        m_rpc->batch_calls("eth_blockNumber", {{"eth_blockNumber", "[]"},
                                               {"eth_getBlockByNumber", R"(["finalized",false])"},
                                               {"eth_getBlockByNumber", R"(["safe",false])"}});
    const std::string via = " via " + endpoint();
    HeadAndTags out;
    std::string_view v;
    if (results[0].get(v) != simdjson::SUCCESS)
        throw RpcError("eth_blockNumber" + via + ": result is not a string", true);
    out.head = wrap_decode("eth_blockNumber" + via,
                           [&] { return hex::parse_quantity(v, "block number"); });
    auto tag = [&](element block, const char* name) -> std::optional<uint64_t> {
        if (block.is_null()) return std::nullopt;
        const std::string ctx = std::string("eth_getBlockByNumber(\"") + name + "\")" + via;
        return wrap_decode(
            ctx, [&] { return hex::parse_quantity(str_field(block, "number", ctx), "number"); });
    };
    out.finalized = tag(results[1], "finalized");
    out.safe = tag(results[2], "safe");
    return out;
}

BlockHeader EvmClient::header(uint64_t number) {
    std::string ctx = "eth_getBlockByNumber(" + std::to_string(number) + ") via " + endpoint();
    element block =
        m_rpc->call("eth_getBlockByNumber", "[\"" + hex::to_quantity(number) + "\",false]");
    return parse_header(block, number, ctx);
}

std::vector<BlockHeader> EvmClient::headers(uint64_t from, uint64_t to) {
    std::vector<BlockHeader> out;
    out.reserve(to - from + 1);
    constexpr uint64_t k_batch = 100;  // a size every provider accepts in one batch request
    for (uint64_t start = from; start <= to; start += k_batch) {
        uint64_t end = std::min(to, start + k_batch - 1);
        std::vector<std::string> params;
        for (uint64_t n = start; n <= end; ++n) params.push_back(block_params(n));
        auto results = m_rpc->batch("eth_getBlockByNumber", params);
        for (uint64_t n = start; n <= end; ++n)
            out.push_back(
                parse_header(results[n - start], n,
                             "eth_getBlockByNumber(" + std::to_string(n) + ") via " + endpoint()));
    }
    return out;
}

std::string EvmClient::logs_params(uint64_t from, uint64_t to) const {
    std::string params = "[{\"fromBlock\":\"" + hex::to_quantity(from) + "\",\"toBlock\":\"" +
                         hex::to_quantity(to) + "\",\"topics\":[\"" + k_transfer_topic + "\"]";
    if (!m_token_filter.empty()) params += ",\"address\":" + m_token_filter;
    params += "}]";
    return params;
}

EvmClient::Span EvmClient::transfer_span(uint64_t from, uint64_t to) {
    constexpr uint64_t k_batch = 100;  // calls in one request, as in headers()
    const uint64_t tail_from = to - std::min<uint64_t>(to - from, k_batch - 2);
    std::vector<std::string> params;
    for (uint64_t n = tail_from; n <= to; ++n) params.push_back(block_params(n));
    const std::string logs = logs_params(from, to);
    std::vector<rpc::JsonRpcClient::Call> calls;
    calls.reserve(params.size() + 1);
    // The header of `to` first: a node answering the calls of a batch in order has it before it
    // looks for the logs.
    for (size_t i = params.size(); i-- > 0;) calls.push_back({"eth_getBlockByNumber", params[i]});
    calls.push_back({"eth_getLogs", logs});
    auto results = m_rpc->batch_calls("eth_getLogs", calls);
    Span span;
    span.logs_response_bytes = m_rpc->last_response_bytes();
    const std::string via = " via " + endpoint();
    span.logs = parse_logs(results.back(), from, to,
                           "eth_getLogs " + std::to_string(from) + ".." + std::to_string(to) + via);
    std::vector<BlockHeader> tail;
    tail.reserve(to - tail_from + 1);
    for (uint64_t n = tail_from; n <= to; ++n)
        tail.push_back(parse_header(results[to - n], n,
                                    "eth_getBlockByNumber(" + std::to_string(n) + ")" + via));
    // The results are invalid from the next call on.
    if (tail_from > from) span.headers = headers(from, tail_from - 1);
    span.headers.insert(span.headers.end(), tail.begin(), tail.end());
    return span;
}

std::vector<RawLog> EvmClient::parse_logs(simdjson::dom::element result, uint64_t from, uint64_t to,
                                          const std::string& ctx) {
    simdjson::dom::array logs;
    if (result.get(logs) != simdjson::SUCCESS)
        throw RpcError(ctx + ": result is not an array", true);
    std::vector<RawLog> out;
    out.reserve(logs.size());
    for (element item : logs) {
        RawLog log;
        wrap_decode(ctx, [&] {
            bool removed = false;
            if (item["removed"].get(removed) == simdjson::SUCCESS && removed)
                throw RpcError(ctx + ": the node returned a removed log (a reorg in flight)", true);
            log.block_number =
                hex::parse_quantity(str_field(item, "blockNumber", ctx), "blockNumber");
            log.block_hash = hex::decode_fixed<32>(str_field(item, "blockHash", ctx), "blockHash");
            log.tx_hash =
                hex::decode_fixed<32>(str_field(item, "transactionHash", ctx), "transactionHash");
            uint64_t index = hex::parse_quantity(str_field(item, "logIndex", ctx), "logIndex");
            if (index > UINT32_MAX) throw UsageError("logIndex out of range");
            log.log_index = static_cast<uint32_t>(index);
            log.address = hex::decode_fixed<20>(str_field(item, "address", ctx), "address");
            simdjson::dom::array topics;
            if (item["topics"].get(topics) != simdjson::SUCCESS)
                throw UsageError("field \"topics\" is missing or not an array");
            size_t count = topics.size();
            log.topic_count = static_cast<uint8_t>(std::min<size_t>(count, 255));
            size_t i = 0;
            for (element t : topics) {
                if (i >= 4) break;
                std::string_view s;
                if (t.get(s) != simdjson::SUCCESS) throw UsageError("a topic is not a string");
                log.topics[i++] = hex::decode_fixed<32>(s, "topic");
            }
            log.data = hex::decode_bytes(str_field(item, "data", ctx), "data");
            return 0;
        });
        if (log.block_number < from || log.block_number > to)
            throw RpcError(ctx + ": log of block " + std::to_string(log.block_number) +
                               " is outside the range asked for",
                           true);
        out.push_back(std::move(log));
    }
    return out;
}

std::vector<std::optional<Amount>> EvmClient::balances_of(
    uint64_t block, const std::vector<std::pair<Address, Address>>& pairs) {
    std::vector<std::optional<Amount>> out;
    out.reserve(pairs.size());
    const std::string at = hex::to_quantity(block);
    constexpr size_t k_batch = 100;
    for (size_t start = 0; start < pairs.size(); start += k_batch) {
        size_t end = std::min(pairs.size(), start + k_batch);
        std::vector<std::string> params;
        for (size_t i = start; i < end; ++i) {
            // balanceOf(address): selector 0x70a08231, then the address as one ABI word.
            params.push_back("[{\"to\":\"" + hex::encode(pairs[i].first) +
                             "\",\"data\":\"0x70a08231000000000000000000000000" +
                             hex::encode(pairs[i].second).substr(2) + "\"},\"" + at + "\"]");
        }
        std::vector<simdjson::dom::element> results;
        try {
            results = m_rpc->batch("eth_call", params);
        } catch (const rpc::CallError&) {
            // One reverting call fails the batch on some nodes: ask one by one.
            for (size_t i = start; i < end; ++i) {
                try {
                    std::string_view word;
                    if (m_rpc->call("eth_call", params[i - start]).get(word) == simdjson::SUCCESS &&
                        hex::strip_0x(word).size() == 64)
                        out.push_back(Amount::from_hex_word(word));
                    else
                        out.push_back(std::nullopt);
                } catch (const rpc::CallError&) {
                    out.push_back(std::nullopt);
                }
            }
            continue;
        }
        for (auto& r : results) {
            std::string_view word;
            if (r.get(word) == simdjson::SUCCESS && hex::strip_0x(word).size() == 64)
                out.push_back(Amount::from_hex_word(word));
            else
                out.push_back(std::nullopt);
        }
    }
    return out;
}

void EvmClient::trim() {
    if (m_rpc) m_rpc->trim();
}

}  // namespace chainidx::evm
