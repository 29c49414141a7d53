#include "fake_chain.hpp"

#include <algorithm>
#include <memory>

#include "../store/store_test_support.hpp"
#include "core/model/errors.hpp"
#include "core/model/hex.hpp"

namespace chainidx::test {

namespace {

// A transaction hash of this block's i-th transfer: another block or branch, another hash.
Hash32 tx_of(const Hash32& block, uint32_t i) {
    Hash32 t = block;
    t[0] = 0x7a;
    t[2] = static_cast<uint8_t>(i);
    return t;
}

class FakeAdapter : public chain::ChainAdapter {
  public:
    explicit FakeAdapter(FakeChain& chain) : m_chain(chain) {}
    void verify() override {}
    chain::Heights heights() override { return m_chain.heights(); }
    uint64_t head() override { return m_chain.heights().head; }
    BlockHeader header(uint64_t number) override { return m_chain.header(number); }
    chain::Fetched fetch(uint64_t from, uint64_t to, bool) override {
        return m_chain.fetch(from, to);
    }
    uint64_t span_hint() const override { return m_chain.span(); }
    chain::OnChainBalances balances(uint64_t, const std::vector<std::pair<Key, Key>>&) override {
        throw Error("the fake chain has no balanceOf");
    }
    chain::Fetched normalize_raw(const std::string&, const ndjson::Where&) override {
        throw Error("the fake chain has no raw blocks");
    }

  private:
    FakeChain& m_chain;
};

}  // namespace

void FakeChain::add(uint64_t number, const Hash32& hash, const Hash32& parent,
                    std::vector<FakeTransfer> transfers) {
    std::lock_guard lock(m_mutex);
    Block& b = m_blocks[number];
    b.header.number = number;
    b.header.hash = hash;
    b.header.parent_hash = parent;
    b.header.timestamp = 1700000000 + 12 * number;
    b.transfers = std::move(transfers);
    b.dead_letter = false;
}

void FakeChain::add_dead_letter(uint64_t number) {
    std::lock_guard lock(m_mutex);
    m_blocks.at(number).dead_letter = true;
}

void FakeChain::set_head(std::optional<uint64_t> head) {
    std::lock_guard lock(m_mutex);
    m_head = head;
}

void FakeChain::set_finalized(uint64_t finalized) {
    std::lock_guard lock(m_mutex);
    m_finalized = finalized;
}

uint64_t FakeChain::span() const {
    std::lock_guard lock(m_mutex);
    return m_span;
}

void FakeChain::set_span(uint64_t blocks) {
    std::lock_guard lock(m_mutex);
    m_span = std::max<uint64_t>(1, blocks);
}

void FakeChain::answer_from_other_branch(uint64_t number, int times) {
    std::lock_guard lock(m_mutex);
    m_other_branch[number] = times;
}

void FakeChain::fail_next_fetch() {
    std::lock_guard lock(m_mutex);
    m_fail_next = true;
}

uint64_t FakeChain::head_locked() const {
    if (m_head) return *m_head;
    return m_blocks.empty() ? 0 : m_blocks.rbegin()->first;
}

uint64_t FakeChain::head() const {
    std::lock_guard lock(m_mutex);
    return head_locked();
}

int FakeChain::fetches() const {
    std::lock_guard lock(m_mutex);
    return m_fetches;
}

chain::Heights FakeChain::heights() const {
    std::lock_guard lock(m_mutex);
    chain::Heights h;
    h.head = head_locked();
    h.safe = h.finalized = m_finalized;
    return h;
}

BlockHeader FakeChain::header(uint64_t number) const {
    std::lock_guard lock(m_mutex);
    auto it = m_blocks.find(number);
    if (it == m_blocks.end() || number > head_locked())
        throw RpcError("the fake chain has no block " + std::to_string(number), false);
    return it->second.header;
}

chain::Fetched FakeChain::fetch(uint64_t from, uint64_t to) {
    std::lock_guard lock(m_mutex);
    ++m_fetches;
    if (m_fail_next) {
        m_fail_next = false;
        throw RpcError("the fake node is down", true);
    }
    chain::Fetched f;
    f.from = from;
    f.to = std::min(to, from + m_span - 1);
    for (uint64_t n = from; n <= f.to; ++n) {
        auto it = m_blocks.find(n);
        if (it == m_blocks.end() || n > head_locked())
            throw RpcError("the fake chain has no block " + std::to_string(n), false);
        const Block& b = it->second;
        BlockHeader h = b.header;
        if (auto other = m_other_branch.find(n); other != m_other_branch.end() && other->second) {
            --other->second;
            h.parent_hash[0] ^= 0xff;  // another branch's parent
        }
        f.headers.push_back(h);
        for (uint32_t i = 0; i < b.transfers.size(); ++i) {
            const FakeTransfer& t = b.transfers[i];
            BalanceEvent e;
            e.block_number = n;
            e.block_hash = h.hash;
            e.tx = tx_of(h.hash, i);
            e.event_index = i;
            e.token = address(t.token);
            if (t.from) {
                e.leg = 0;
                e.account = address(t.from);
                e.delta = -Amount::from_u64(static_cast<uint64_t>(t.value));
                f.events.push_back(e);
            }
            if (t.to) {
                e.leg = 1;
                e.account = address(t.to);
                e.delta = Amount::from_u64(static_cast<uint64_t>(t.value));
                f.events.push_back(e);
            }
            ++f.stats.transfers;
        }
        if (b.dead_letter) {
            chain::Rejected r;
            r.block_number = n;
            r.block_hash = h.hash;
            r.tx = tx_of(h.hash, 200);
            r.index = 200;
            r.token = address(9);
            r.error = "a Transfer log the fake chain made unreadable";
            r.payload = "{}";
            f.rejected.push_back(r);
        }
    }
    return f;
}

std::map<std::string, std::string> FakeChain::balances(uint64_t from, uint64_t to) const {
    std::lock_guard lock(m_mutex);
    std::map<std::string, int64_t> sums;
    for (uint64_t n = from; n <= to; ++n)
        for (const FakeTransfer& t : m_blocks.at(n).transfers) {
            if (t.from) sums[pair_key(t.token, t.from)] -= t.value;
            if (t.to) sums[pair_key(t.token, t.to)] += t.value;
        }
    std::map<std::string, std::string> out;
    for (const auto& [pair, sum] : sums)
        if (sum != 0) out[pair] = std::to_string(sum);
    return out;
}

chain::AdapterFactory FakeChain::factory() {
    return [this](const config::ChainConfig&) { return std::make_unique<FakeAdapter>(*this); };
}

std::vector<FakeTransfer> transfers_of(uint64_t n, uint8_t branch) {
    // A mint to one of three accounts, and from block 1 on a payment out of the account minted
    // to in the block before; another branch mints to other accounts, so balances tell the
    // branches apart.
    const auto a = [&](uint64_t k) { return static_cast<uint8_t>(1 + 4 * branch + k % 3); };
    std::vector<FakeTransfer> t{{1, 0, a(n), static_cast<int64_t>(10 + n)}};
    if (n > 0) t.push_back({1, a(n - 1), 4, 1});
    if (n % 2) t.push_back({2, 0, a(n + 1), 7});
    return t;
}

void add_branch(FakeChain& chain, uint64_t from, uint64_t to, uint8_t branch,
                uint8_t parent_branch) {
    for (uint64_t n = from; n <= to; ++n) {
        const Hash32 parent =
            n == 0 ? Hash32{} : block_hash(n - 1, n == from ? parent_branch : branch);
        chain.add(n, block_hash(n, branch), parent, transfers_of(n, branch));
    }
}

}  // namespace chainidx::test
