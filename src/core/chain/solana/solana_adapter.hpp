#pragma once
// The Solana chain adapter. Block number = slot. Slots come from getSlot at the configured
// commitment, the ones with a block from getBlocks, blocks from getBlock (json, full
// transactions, v0 included). A skipped slot is a header with `skipped` whose hash and parent
// hash are the nearest block below's, so headers link slot by slot and a block replaced by a skip
// on a fork changes the slot's hash (that is how the engine sees the fork). Finality from the
// finalized commitment or a depth; getBalance and getTokenAccountsByOwner for reconcile.
#include <memory>

#include "core/chain/adapter.hpp"

namespace chainidx::solana {

class SolanaClient;

class SolanaAdapter : public chain::ChainAdapter {
  public:
    explicit SolanaAdapter(const config::ChainConfig& chain);
    ~SolanaAdapter() override;

    void verify() override;
    chain::Heights heights() override;
    uint64_t head() override;
    BlockHeader header(uint64_t number) override;
    chain::Fetched fetch(uint64_t from, uint64_t to, bool keep_raw) override;
    uint64_t span_hint() const override;
    void trim() override;
    chain::OnChainBalances balances(uint64_t block,
                                    const std::vector<std::pair<Key, Key>>& pairs) override;
    chain::Fetched normalize_raw(const std::string& line, const ndjson::Where& where) override;

  private:
    SolanaClient& client();  // created on first use: `normalize` needs no node
    // The hash of the nearest block below the skipped slot `slot`: the previousBlockhash of the
    // first block above it.
    Hash32 hash_below_skipped(uint64_t slot);
    Hash32 parent_of(uint64_t slot);  // the previousBlockhash of the block at `slot`

    const config::ChainConfig& m_chain;
    std::unique_ptr<SolanaClient> m_client;
};

}  // namespace chainidx::solana
