#pragma once
// An in-memory chain for driving the engine (after Shovel's task_test.go): blocks put in by
// number with their hash and parent, ERC-20-like transfers per block, settable heights, and
// knobs for a node that misbehaves (a failing fetch, an answer from another branch). Its
// adapters share it, so the engine's and the fetch workers' see the same chain.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/chain/adapter.hpp"

namespace chainidx::test {

struct FakeTransfer {
    uint8_t token = 1;
    uint8_t from = 0;  // 0: a mint
    uint8_t to = 0;    // 0: a burn
    int64_t value = 0;
};

class FakeChain {
  public:
    // Puts a block at `number`, replacing the one there (a fork is added block by block).
    void add(uint64_t number, const Hash32& hash, const Hash32& parent,
             std::vector<FakeTransfer> transfers = {});
    // Block `number` carries an item that cannot be normalized (a dead letter).
    void add_dead_letter(uint64_t number);
    // The head the node reports; default (nullopt) the highest block.
    void set_head(std::optional<uint64_t> head);
    void set_finalized(uint64_t finalized);  // the safe and finalized tags
    // Each fetch returns at most this many blocks.
    void set_span(uint64_t blocks);
    uint64_t span() const;
    // The next `times` fetches that cover `number` answer with another parent for it, as a
    // node behind a load balancer answering from another branch.
    void answer_from_other_branch(uint64_t number, int times = 1);
    // The next fetch fails (as a node that is down after the retries).
    void fail_next_fetch();

    uint64_t head() const;
    int fetches() const;
    // "0xtoken/0xaccount" -> decimal, non-zero: the balances the canonical blocks from..to give,
    // summed here from the transfers (as the store's balance_map shows them).
    std::map<std::string, std::string> balances(uint64_t from, uint64_t to) const;

    chain::AdapterFactory factory();

    // What the adapter asks (locked).
    chain::Heights heights() const;
    BlockHeader header(uint64_t number) const;
    chain::Fetched fetch(uint64_t from, uint64_t to);

  private:
    struct Block {
        BlockHeader header;
        std::vector<FakeTransfer> transfers;
        bool dead_letter = false;
    };
    uint64_t head_locked() const;
    mutable std::mutex m_mutex;
    std::map<uint64_t, Block> m_blocks;
    std::optional<uint64_t> m_head;
    uint64_t m_finalized = 0;
    uint64_t m_span = 2;
    std::map<uint64_t, int> m_other_branch;  // block -> answers left
    bool m_fail_next = false;
    int m_fetches = 0;
};

// block_hash(n, branch) for n in [from, to], each linked to block_hash(n - 1, branch) — or, for
// `from`, to `parent_branch`'s block below (where a fork leaves the old branch). Each block gets
// the transfers `transfers_of(n, branch)`.
void add_branch(FakeChain& chain, uint64_t from, uint64_t to, uint8_t branch,
                uint8_t parent_branch);
std::vector<FakeTransfer> transfers_of(uint64_t number, uint8_t branch);

}  // namespace chainidx::test
