#pragma once
// The EVM chain adapter's view of a node: chain id, head, safe/finalized tags, block headers and
// ERC-20 Transfer logs over a block range. Validates what the node returns (numbers asked for,
// well-formed hex) and turns it into model types; no database, no balance arithmetic.
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

namespace chainidx::evm {

class EvmClient {
  public:
    explicit EvmClient(const config::ChainConfig& chain);
    ~EvmClient();

    uint64_t chain_id();
    // Throws UsageError when the node's eth_chainId differs from the configured chain_id.
    void verify_chain_id();
    uint64_t head();
    // The number of the block the node tags "safe"/"finalized"; nullopt when it has no such tag.
    std::optional<uint64_t> tagged_block(const char* tag);
    struct HeadAndTags {
        uint64_t head = 0;
        std::optional<uint64_t> finalized, safe;  // nullopt: the node has no such block
    };
    // The head and the "finalized" and "safe" blocks' numbers in one request (one round trip,
    // and one moment of the node). Throws rpc::CallError when the node refuses one of them.
    HeadAndTags head_and_tags();
    BlockHeader header(uint64_t number);
    std::vector<BlockHeader> headers(uint64_t from, uint64_t to);
    struct Span {
        std::vector<BlockHeader> headers;  // of every block of the span, in order
        std::vector<RawLog> logs;
        size_t logs_response_bytes = 0;  // of the request that carried eth_getLogs
    };
    // The Transfer logs and the headers of [from, to]. The logs are asked for in one request
    // with the header of `to` (and up to 98 before it), so whichever endpoint answers them has
    // block `to`: a lagging node answers eth_getLogs for blocks it lacks with nothing, not an
    // error, and the headers alone would not tell. Throws rpc::CallError with
    // result_too_large() when the node refuses the range.
    Span transfer_span(uint64_t from, uint64_t to);

    // ERC-20 balanceOf(account) of each (token, account) at `block`, batched eth_call. nullopt
    // where the call reverts or does not return one uint256 word (not an ERC-20).
    std::vector<std::optional<Amount>> balances_of(
        uint64_t block, const std::vector<std::pair<Address, Address>>& pairs);

    size_t last_response_bytes() const;
    const std::string& endpoint() const;
    // Drops the large buffers the last answer left (see JsonRpcClient::trim).
    void trim();

  private:
    std::string logs_params(uint64_t from, uint64_t to) const;
    static std::vector<RawLog> parse_logs(simdjson::dom::element result, uint64_t from, uint64_t to,
                                          const std::string& ctx);

    const config::ChainConfig& m_chain;
    std::unique_ptr<rpc::JsonRpcClient> m_rpc;
    std::string m_token_filter;  // JSON for the "address" field, empty for every contract
};

}  // namespace chainidx::evm
