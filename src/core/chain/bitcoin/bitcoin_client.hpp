#pragma once
// The Bitcoin adapter's view of a node speaking Bitcoin Core's JSON-RPC: the genesis hash, the
// block count, hashes and headers by height, blocks by hash (batched) and scantxoutset.
// Fractional numbers reach the caller as their exact text (amounts, see rpc/exact_numbers.hpp).
#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/model/types.hpp"

namespace chainidx::rpc {
class JsonRpcClient;
}

namespace chainidx::bitcoin {

class BitcoinClient {
  public:
    explicit BitcoinClient(const config::ChainConfig& chain);
    ~BitcoinClient();

    Hash32 block_hash(uint64_t height);
    std::vector<Hash32> block_hashes(uint64_t from, uint64_t to);
    uint64_t block_count();
    BlockHeader header(uint64_t height);
    // getblock for each hash (one batch); elements stay valid until the next call.
    std::vector<simdjson::dom::element> blocks(const std::vector<Hash32>& hashes, int verbosity);
    // The unspent outputs of one address (scantxoutset "start" ["addr(A)"]): their sum in
    // satoshis and the height the node scanned at.
    struct Scan {
        int64_t satoshis = 0;
        uint64_t height = 0;
    };
    Scan scan_address(const std::string& address);

    size_t last_response_bytes() const;
    const std::string& endpoint() const;
    // Drops the large buffers the last answer left (see JsonRpcClient::trim).
    void trim();

  private:
    const config::ChainConfig& m_chain;
    std::unique_ptr<rpc::JsonRpcClient> m_rpc;
};

// "<method> via <endpoint>" for error messages.
std::string where(const char* method, const BitcoinClient& client);

}  // namespace chainidx::bitcoin
