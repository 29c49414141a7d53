// The concurrent fetcher (src/core/pipeline/fetcher.hpp) with fake adapters: spans fetched by
// several workers at once come out in block order, exactly once each; a failure comes out after
// every range below it; memory stays within the byte budget however large the blocks.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/model/errors.hpp"
#include "core/pipeline/fetcher.hpp"
#include "core/pipeline/memory_budget.hpp"

using namespace chainidx;
using namespace std::chrono_literals;

namespace {

// What every fake adapter of one test shares.
struct FakeNode {
    uint64_t span = 5;         // blocks per span the adapters ask for
    uint64_t short_every = 0;  // every Nth fetch answers only half its span (a refused range)
    std::chrono::milliseconds delay{0};
    size_t raw_bytes_per_block = 0;     // memory each fetched block holds
    size_t answer_bytes_per_block = 0;  // the node's answer each block was parsed from
    uint64_t fail_at = UINT64_MAX;      // a fetch that includes this block throws
    std::atomic<int> in_flight{0}, most_in_flight{0};
    std::atomic<uint64_t> fetched_blocks{0}, fetches{0};
    // Several endpoints (the adapter's first `rpc` URL says which it talks to): each one's delay,
    // the last block it has (a lagging node: fetching above it fails), and what it served.
    std::map<std::string, std::chrono::milliseconds> delay_of;
    std::map<std::string, uint64_t> has_up_to;
    std::string wrong_chain;  // verify() refuses this endpoint
    std::mutex mutex;
    std::map<std::string, uint64_t> blocks_by, verified;
    std::map<uint64_t, std::string> served_by;  // block → endpoint that answered it last
};

class FakeAdapter : public chain::ChainAdapter {
  public:
    FakeAdapter(FakeNode& node, std::string url) : m_node(node), m_url(std::move(url)) {}
    void verify() override {
        std::lock_guard lock(m_node.mutex);
        ++m_node.verified[m_url];
        if (m_url == m_node.wrong_chain) throw UsageError(m_url + " serves another chain");
    }
    chain::Heights heights() override { return {}; }
    uint64_t head() override { return 0; }
    BlockHeader header(uint64_t) override { return {}; }
    uint64_t span_hint() const override { return m_node.span; }
    chain::OnChainBalances balances(uint64_t, const std::vector<std::pair<Key, Key>>&) override {
        return {};
    }
    chain::Fetched normalize_raw(const std::string&, const ndjson::Where&) override { return {}; }

    chain::Fetched fetch(uint64_t from, uint64_t to, bool) override {
        const int now = ++m_node.in_flight;
        for (int seen = m_node.most_in_flight; now > seen;)
            if (m_node.most_in_flight.compare_exchange_weak(seen, now)) break;
        thread_local std::mt19937 rng{std::random_device{}()};
        auto delay = m_node.delay;
        if (auto d = m_node.delay_of.find(m_url); d != m_node.delay_of.end()) delay = d->second;
        if (delay.count()) std::this_thread::sleep_for(delay * (50 + rng() % 100) / 100);
        if (auto h = m_node.has_up_to.find(m_url); h != m_node.has_up_to.end() && to > h->second) {
            --m_node.in_flight;
            throw RpcError(m_url + " does not have block " + std::to_string(to), true);
        }
        const uint64_t n = ++m_node.fetches;
        if (m_node.short_every && n % m_node.short_every == 0 && to > from)
            to = from + (to - from) / 2;
        --m_node.in_flight;
        if (from <= m_node.fail_at && m_node.fail_at <= to)
            throw std::runtime_error("block " + std::to_string(m_node.fail_at) + " failed");
        chain::Fetched f;
        f.from = from;
        f.to = to;
        for (uint64_t b = from; b <= to; ++b) {
            BlockHeader h;
            h.number = b;
            h.hash[0] = static_cast<uint8_t>(b);
            h.hash[1] = static_cast<uint8_t>(b >> 8);
            f.headers.push_back(h);
            if (m_node.raw_bytes_per_block) f.raw.emplace_back(m_node.raw_bytes_per_block, 'x');
        }
        f.answer_bytes = m_node.answer_bytes_per_block * (to - from + 1);
        m_node.fetched_blocks += to - from + 1;
        std::lock_guard lock(m_node.mutex);
        m_node.blocks_by[m_url] += to - from + 1;
        for (uint64_t b = from; b <= to; ++b) m_node.served_by[b] = m_url;
        return f;
    }

  private:
    FakeNode& m_node;
    std::string m_url;
};

config::ChainConfig chain_config(unsigned concurrency) {
    config::ChainConfig c;
    c.name = "fake";
    c.rpc.value = {"http://127.0.0.1:1"};
    c.rpc_max_concurrency.value = concurrency;
    return c;
}

chain::AdapterFactory factory(FakeNode& node) {
    return [&node](const config::ChainConfig& c) {
        return std::make_unique<FakeAdapter>(node, c.rpc.value.at(0));
    };
}

}  // namespace

TEST_CASE("fetcher_hands_out_every_block_once_in_order_while_fetching_concurrently") {
    FakeNode node;
    node.span = 7;
    node.short_every = 3;
    node.delay = 20ms;
    const config::ChainConfig cfg = chain_config(8);
    pipeline::Fetcher fetcher(cfg, factory(node), 10, 409);
    uint64_t expect = 10;
    while (auto r = fetcher.next()) {
        REQUIRE(r->from == expect);
        REQUIRE(r->headers.size() == r->to - r->from + 1);
        CHECK(r->headers.front().number == r->from);
        expect = r->to + 1;
    }
    CHECK(expect == 410);
    CHECK(node.fetched_blocks == 400);  // nothing fetched twice
    CHECK(node.most_in_flight > 1);
    CHECK(fetcher.most_in_flight() > 1);
    CHECK(fetcher.most_in_flight() <= 8);
}

TEST_CASE("fetcher_overlaps_round_trips") {
    // 40 spans of 100 ms each: one at a time takes ~4 s; eight at a time well under a second.
    FakeNode node;
    node.span = 10;
    node.delay = 100ms;
    const config::ChainConfig cfg = chain_config(8);
    const auto t0 = std::chrono::steady_clock::now();
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 399);
    while (fetcher.next()) {
    }
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took < 1500ms);
    CHECK(node.fetched_blocks == 400);
}

TEST_CASE("fetcher_rethrows_a_failure_only_after_every_range_below_it") {
    FakeNode node;
    node.span = 4;
    node.delay = 5ms;
    node.fail_at = 57;
    const config::ChainConfig cfg = chain_config(6);
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 199);
    uint64_t expect = 0;
    bool threw = false;
    try {
        while (auto r = fetcher.next()) {
            REQUIRE(r->from == expect);
            expect = r->to + 1;
        }
    } catch (const std::runtime_error& e) {
        threw = true;
        CHECK(std::string(e.what()) == "block 57 failed");
    }
    CHECK(threw);
    CHECK(expect <= 57);
    CHECK(expect >= 53);  // the span holding 57 starts at most 4 blocks below it
}

TEST_CASE("fetcher_keeps_what_it_holds_within_the_byte_budget") {
    // 2 MB blocks and a writer that does not read for a while: the workers stop at the budget.
    FakeNode node;
    node.span = 10;
    node.raw_bytes_per_block = size_t(2) << 20;
    const config::ChainConfig cfg = chain_config(16);
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 999);
    auto first = fetcher.next();
    REQUIRE(first);
    std::this_thread::sleep_for(300ms);
    const uint64_t held_blocks = node.fetched_blocks - (first->to - first->from + 1);
    // The first span is fetched alone, before the bytes per block are known; after it, at most
    // the budget's worth (plus one span in flight beyond it) is held.
    const uint64_t budget_blocks = pipeline::k_fetch_budget_bytes / node.raw_bytes_per_block;
    CHECK(held_blocks <=
          std::max(4 * node.span, budget_blocks + budget_blocks / pipeline::k_span_share + 1));
    CHECK(held_blocks >= budget_blocks / 2);  // and it did fetch ahead
    uint64_t expect = first->to + 1;
    first.reset();
    while (auto r = fetcher.next()) {
        REQUIRE(r->from == expect);
        expect = r->to + 1;
    }
    CHECK(expect == 1000);
}

TEST_CASE("fetcher_counts_the_answers_blocks_are_parsed_from_in_the_budget") {
    // Blocks that become little but come in 6 MB answers (a verbosity-3 Bitcoin block is ~9.5 MB
    // of JSON): a span in flight holds its answer, so few are fetched at once, though 16 may be.
    FakeNode node;
    node.span = 10;
    node.delay = 20ms;
    node.answer_bytes_per_block = size_t(6) << 20;
    const config::ChainConfig cfg = chain_config(16);
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 199);
    uint64_t expect = 0;
    while (auto r = fetcher.next()) {
        REQUIRE(r->from == expect);
        expect = r->to + 1;
    }
    CHECK(expect == 200);
    const double per_block = chain::family_info(cfg.family.value).answer_hold *
                             static_cast<double>(node.answer_bytes_per_block);
    const auto budget_blocks =
        static_cast<int>(static_cast<double>(pipeline::k_fetch_budget_bytes) / per_block);
    REQUIRE(budget_blocks == 2);
    // The budget's worth of answers in flight, and the span the writer waits for beyond it.
    CHECK(node.most_in_flight <= budget_blocks + 1);
    CHECK(node.most_in_flight >= 2);  // it did fetch concurrently
}

TEST_CASE("fetcher_cancels_cleanly_when_dropped_mid_range") {
    FakeNode node;
    node.span = 3;
    node.delay = 10ms;
    const config::ChainConfig cfg = chain_config(8);
    {
        pipeline::Fetcher fetcher(cfg, factory(node), 0, 100000);
        REQUIRE(fetcher.next());
    }  // joins the workers without fetching the rest
    CHECK(node.fetched_blocks < 1000);
}

namespace {
// Drains the fetcher, checking that every block of [from, to] comes out once, in order.
void drain_in_order(pipeline::Fetcher& fetcher, uint64_t from, uint64_t to) {
    uint64_t expect = from;
    while (auto r = fetcher.next()) {
        REQUIRE(r->from == expect);
        expect = r->to + 1;
    }
    CHECK(expect == to + 1);
}
}  // namespace

TEST_CASE("fetcher_shares_final_blocks_among_endpoints_by_their_speed") {
    FakeNode node;
    node.span = 5;
    node.delay_of = {{"http://fast", 10ms}, {"http://slow", 80ms}};
    config::ChainConfig cfg = chain_config(4);
    cfg.rpc.value = {"http://fast", "http://slow"};
    // Blocks 0..599 are final: both endpoints may serve them; 600..699 only the first.
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 699, false, 599);
    drain_in_order(fetcher, 0, 699);
    CHECK(node.fetched_blocks == 700);
    CHECK(node.blocks_by["http://slow"] > 0);
    // Roughly by speed: the slow one (8x slower) takes a small share, not half.
    CHECK(node.blocks_by["http://fast"] > 3 * node.blocks_by["http://slow"]);
    for (uint64_t b = 600; b <= 699; ++b) REQUIRE(node.served_by[b] == "http://fast");
    CHECK(node.verified["http://slow"] == 1);        // checked once, before its first span
    CHECK(node.verified.count("http://fast") == 0);  // the engine checks the first
    const auto spans = fetcher.spans_by_endpoint();
    REQUIRE(spans.size() == 2);
    CHECK(spans[1] > 0);
}

TEST_CASE("fetcher_refetches_from_the_first_endpoint_what_a_lagging_one_lacks") {
    FakeNode node;
    node.span = 5;
    node.delay = 5ms;
    node.has_up_to = {{"http://behind", 99}};
    config::ChainConfig cfg = chain_config(4);
    cfg.rpc.value = {"http://primary", "http://behind"};
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 499, false, 499);
    drain_in_order(fetcher, 0, 499);
    for (uint64_t b = 100; b <= 499; ++b) REQUIRE(node.served_by[b] == "http://primary");
    // It sat out after its first failure, so it was asked at most a few times above 99.
    CHECK(node.blocks_by["http://primary"] >= 400);
}

TEST_CASE("fetcher_uses_one_endpoint_without_a_finalized_height") {
    FakeNode node;
    node.span = 5;
    config::ChainConfig cfg = chain_config(4);
    cfg.rpc.value = {"http://a", "http://b"};
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 199);
    drain_in_order(fetcher, 0, 199);
    CHECK(node.blocks_by["http://a"] == 200);
    CHECK(node.blocks_by.count("http://b") == 0);
}

TEST_CASE("fetcher_fails_when_another_endpoint_serves_another_chain") {
    FakeNode node;
    node.span = 5;
    node.delay = 5ms;
    node.wrong_chain = "http://other";
    config::ChainConfig cfg = chain_config(4);
    cfg.rpc.value = {"http://a", "http://other"};
    pipeline::Fetcher fetcher(cfg, factory(node), 0, 999, false, 999);
    bool refused = false;
    try {
        while (fetcher.next()) {
        }
    } catch (const UsageError& e) {
        refused = std::string(e.what()).find("another chain") != std::string::npos;
    }
    CHECK(refused);
    CHECK(node.blocks_by.count("http://other") == 0);
}
