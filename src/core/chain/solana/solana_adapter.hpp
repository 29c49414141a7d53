#pragma once
// STUB, to be replaced: the solana chain adapter.
#include "core/chain/adapter.hpp"

namespace chainidx::solana {

class SolanaAdapter : public chain::ChainAdapter {
  public:
    explicit SolanaAdapter(const config::ChainConfig& chain) : m_chain(chain) {}
    void verify() override { fail(); }
    chain::Heights heights() override { fail(); }
    uint64_t head() override { fail(); }
    BlockHeader header(uint64_t) override { fail(); }
    chain::Fetched fetch(uint64_t, uint64_t, bool) override { fail(); }
    chain::OnChainBalances balances(uint64_t, const std::vector<std::pair<Key, Key>>&) override {
        fail();
    }
    chain::Fetched normalize_raw(const std::string&, const ndjson::Where&) override { fail(); }

  private:
    [[noreturn]] void fail() {
        throw UsageError("chain " + m_chain.name + ": solana is not implemented yet");
    }
    const config::ChainConfig& m_chain;
};

}  // namespace chainidx::solana
