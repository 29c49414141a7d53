#pragma once
// The EVM chain adapter: Transfer logs over adaptive block ranges (halved when the node refuses
// or answers large, grown after small answers; a refused span is remembered for the run),
// finality from the node's safe/finalized tags or a depth, balanceOf for reconcile.
#include <memory>

#include "core/chain/adapter.hpp"

namespace chainidx::evm {

class EvmClient;

class EvmAdapter : public chain::ChainAdapter {
  public:
    explicit EvmAdapter(const config::ChainConfig& chain);
    ~EvmAdapter() override;

    void verify() override;
    chain::Heights heights() override;
    uint64_t head() override;
    BlockHeader header(uint64_t number) override;
    chain::Fetched fetch(uint64_t from, uint64_t to, bool keep_raw) override;
    uint64_t span_hint() const override { return m_range; }
    void trim() override;
    chain::OnChainBalances balances(uint64_t block,
                                    const std::vector<std::pair<Key, Key>>& pairs) override;
    chain::Fetched normalize_raw(const std::string& line, const ndjson::Where& where) override;
    std::string why_no_balance(bool fails_for_every_account) const override {
        return fails_for_every_account
                   ? "no_balanceOf: the contract does not answer balanceOf (not an ERC-20)"
                   : "balanceOf_failed: the call reverted for this account";
    }

  private:
    EvmClient& client();  // created on first use: `normalize` needs no node

    const config::ChainConfig& m_chain;
    std::unique_ptr<EvmClient> m_client;
    uint64_t m_range;                 // blocks per eth_getLogs now
    uint64_t m_refused = UINT64_MAX;  // the smallest span the node refused
    bool m_warned_no_tags = false;
    bool m_tags_in_one_request = true;  // until the node refuses asking for them in one batch
};

}  // namespace chainidx::evm
