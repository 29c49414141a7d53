#include "core/chain/bitcoin/bitcoin_client.hpp"

#include "core/chain/bitcoin/btc_amount.hpp"
#include "core/chain/bitcoin/normalizer.hpp"
#include "core/chain/keys.hpp"
#include "core/chain/node_rpc.hpp"
#include "core/rpc/json_rpc.hpp"

namespace chainidx::bitcoin {

namespace {

using simdjson::dom::element;

Hash32 hash_result(element v, const std::string& ctx) {
    std::string_view text;
    if (v.get(text) != simdjson::SUCCESS) throw RpcError(ctx + ": result is not a string", true);
    try {
        return hex::decode_fixed<32>(text, "block hash");
    } catch (const UsageError& e) {
        throw RpcError(ctx + ": " + e.what(), true);
    }
}

std::string quoted_hash(const Hash32& h) {
    return "\"" + chain::KeyFormat(chain::Family::bitcoin).block_hash(h) + "\"";
}

}  // namespace

std::string where(const char* method, const BitcoinClient& client) {
    return std::string(method) + " via " + client.endpoint();
}

BitcoinClient::BitcoinClient(const config::ChainConfig& chain) : m_chain(chain) {
    auto options = chain::rpc_options_for(chain);
    options.exact_decimals = true;
    m_rpc = std::make_unique<rpc::JsonRpcClient>(std::move(options));
}

BitcoinClient::~BitcoinClient() = default;

size_t BitcoinClient::last_response_bytes() const {
    return m_rpc->last_response_bytes();
}
const std::string& BitcoinClient::endpoint() const {
    return m_rpc->endpoint();
}

uint64_t BitcoinClient::block_count() {
    uint64_t n = 0;
    if (m_rpc->call("getblockcount", "[]").get(n) != simdjson::SUCCESS)
        throw RpcError(where("getblockcount", *this) + ": result is not a block count", true);
    return n;
}

Hash32 BitcoinClient::block_hash(uint64_t height) {
    element r = m_rpc->call("getblockhash", "[" + std::to_string(height) + "]");
    return hash_result(r, where("getblockhash", *this) + " " + std::to_string(height));
}

std::vector<Hash32> BitcoinClient::block_hashes(uint64_t from, uint64_t to) {
    std::vector<std::string> params;
    for (uint64_t h = from; h <= to; ++h) params.push_back("[" + std::to_string(h) + "]");
    std::vector<element> results = m_rpc->batch("getblockhash", params);
    std::vector<Hash32> out;
    out.reserve(results.size());
    for (size_t i = 0; i < results.size(); ++i)
        out.push_back(
            hash_result(results[i], where("getblockhash", *this) + " " + std::to_string(from + i)));
    return out;
}

BlockHeader BitcoinClient::header(uint64_t height) {
    const Hash32 hash = block_hash(height);
    const std::string ctx = where("getblockheader", *this) + " " + std::to_string(height);
    element r = m_rpc->call("getblockheader", "[" + quoted_hash(hash) + ",true]");
    BlockHeader h = parse_block_header(r, ctx);
    if (h.number != height || h.hash != hash)
        throw RpcError(
            ctx + ": the node answered for another block (height " + std::to_string(h.number) + ")",
            true);
    return h;
}

std::vector<element> BitcoinClient::blocks(const std::vector<Hash32>& hashes, int verbosity) {
    std::vector<std::string> params;
    params.reserve(hashes.size());
    for (const Hash32& h : hashes)
        params.push_back("[" + quoted_hash(h) + "," + std::to_string(verbosity) + "]");
    return m_rpc->batch("getblock", params);
}

BitcoinClient::Scan BitcoinClient::scan_address(const std::string& address) {
    const std::string ctx = where("scantxoutset", *this) + " addr(" + address + ")";
    nlohmann::json params = nlohmann::json::array({"start", {"addr(" + address + ")"}});
    element r = m_rpc->call("scantxoutset", params.dump());
    Scan s;
    bool success = false;
    std::string_view total;
    if (r["success"].get(success) != simdjson::SUCCESS || !success ||
        r["height"].get(s.height) != simdjson::SUCCESS)
        throw RpcError(ctx + ": the scan did not succeed", true);
    element amount;
    if (r["total_amount"].get(amount) != simdjson::SUCCESS)
        throw RpcError(ctx + ": no total_amount", true);
    try {
        uint64_t whole = 0;
        if (amount.get(total) == simdjson::SUCCESS)
            s.satoshis = satoshis_from_btc(total, "total_amount");
        else if (amount.get(whole) == simdjson::SUCCESS)
            s.satoshis = satoshis_from_btc(std::to_string(whole), "total_amount");
        else
            throw RpcError(ctx + ": total_amount is not a number", true);
    } catch (const UsageError& e) {
        throw RpcError(ctx + ": " + e.what(), true);
    }
    return s;
}

void BitcoinClient::trim() {
    if (m_rpc) m_rpc->trim();
}

}  // namespace chainidx::bitcoin
