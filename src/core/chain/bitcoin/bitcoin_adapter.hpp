#pragma once
// The Bitcoin chain adapter: blocks by height (getblockhash, then getblock verbosity 3 for the
// inputs' prevouts; verbosity 2 when the node has no 3, leaving debits to the UTXO table),
// spans sized by response bytes, finality by depth, scantxoutset for reconcile.
#include <memory>

#include "core/chain/adapter.hpp"

namespace chainidx::bitcoin {

class BitcoinClient;

class BitcoinAdapter : public chain::ChainAdapter {
  public:
    explicit BitcoinAdapter(const config::ChainConfig& chain);
    ~BitcoinAdapter() override;

    void verify() override;
    chain::Heights heights() override;
    uint64_t head() override;
    BlockHeader header(uint64_t number) override;
    chain::Fetched fetch(uint64_t from, uint64_t to, bool keep_raw) override;
    uint64_t span_hint() const override { return m_span; }
    void trim() override;
    chain::OnChainBalances balances(uint64_t block,
                                    const std::vector<std::pair<Key, Key>>& pairs) override;
    chain::Fetched normalize_raw(const std::string& line, const ndjson::Where& where) override;
    // The UTXO table (bitcoin_utxo_hooks.cpp).
    bool batch_reads_store(const store::Batch& batch) const override;
    void complete_batch(store::Store& store, store::Batch& batch) override;
    void complete_balances(store::Store& store, const std::string& chain, uint64_t block,
                           const std::vector<std::pair<Key, Key>>& pairs,
                           chain::OnChainBalances& answer) override;

  private:
    BitcoinClient& client();  // created on first use: `normalize` needs no node

    const config::ChainConfig& m_chain;
    std::unique_ptr<BitcoinClient> m_client;
    uint64_t m_span = 1;  // blocks per getblock batch now
    int m_verbosity = 3;  // 2 once the node refused 3
};

}  // namespace chainidx::bitcoin
