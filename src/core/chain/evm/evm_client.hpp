#pragma once
// The EVM chain adapter's view of a node: chain id, head, safe/finalized tags, block headers and
// ERC-20 Transfer logs over a block range. Validates what the node returns (numbers asked for,
// well-formed hex) and turns it into model types; no database, no balance arithmetic.
#include <memory>
#include <optional>
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
    BlockHeader header(uint64_t number);
    std::vector<BlockHeader> headers(uint64_t from, uint64_t to);
    // Transfer-topic logs of [from, to]; throws rpc::CallError with result_too_large() when the
    // node refuses the range.
    std::vector<RawLog> transfer_logs(uint64_t from, uint64_t to);

    // ERC-20 balanceOf(account) of each (token, account) at `block`, batched eth_call. nullopt
    // where the call reverts or does not return one uint256 word (not an ERC-20).
    std::vector<std::optional<Amount>> balances_of(
        uint64_t block, const std::vector<std::pair<Address, Address>>& pairs);

    size_t last_response_bytes() const;
    const std::string& endpoint() const;
    // Drops the large buffers the last answer left (see JsonRpcClient::trim).
    void trim();

  private:
    const config::ChainConfig& m_chain;
    std::unique_ptr<rpc::JsonRpcClient> m_rpc;
    std::string m_token_filter;  // JSON for the "address" field, empty for every contract
};

}  // namespace chainidx::evm
