// Dead letters and token quarantine in the store: one row per item however often it is
// recorded, an operator's discard stands, quarantining a token sets its open items aside, and a
// batch writes its quarantined items in its own transaction.
#include <doctest/doctest.h>

#include "store_test_support.hpp"

using namespace chainidx;
using namespace chainidx::test;

namespace {

store::DeadLetter item(uint64_t block, uint32_t index, uint8_t token) {
    store::DeadLetter d;
    d.chain = k_chain;
    d.block_number = block;
    d.block_hash = block_hash(block);
    d.tx = Key(tx_hash(block, index));
    d.index = index;
    d.token = Key(address(token));
    d.source = "test";
    d.error = "bad log";
    d.payload = R"({"topics":[]})";
    return d;
}

}  // namespace

TEST_CASE("a_dead_letter_is_one_row_however_often_recorded_and_a_discard_stands") {
    TestDb db;
    store::Store& s = *db.store;
    auto [id, status] = s.record_dead_letter(item(5, 2, 1));
    CHECK(status == "open");
    CHECK(s.open_dead_letters(k_chain) == 1);
    store::DeadLetter again = item(5, 2, 1);
    again.error = "bad log, seen again";
    auto [id2, status2] = s.record_dead_letter(again);
    CHECK(id2 == id);
    CHECK(status2 == "open");
    CHECK(s.dead_letter(id)->error == "bad log, seen again");
    CHECK(s.dead_letter(id)->payload == R"({"topics":[]})");

    CHECK(s.set_dead_letter_status(id, "discarded"));
    CHECK_FALSE(s.set_dead_letter_status(id + 1000, "discarded"));
    CHECK(s.record_dead_letter(item(5, 2, 1)).second == "discarded");  // the operator's word
    CHECK(s.open_dead_letters(k_chain) == 0);
    auto discarded = s.discarded_items(k_chain);
    REQUIRE(discarded.size() == 1);
    CHECK(discarded[0] == std::make_pair(Key(tx_hash(5, 2)), uint32_t(2)));
    CHECK_FALSE(s.dead_letter(id)->resolved_at.empty());
    CHECK(s.dead_letters("", "all").size() == 1);
    CHECK(s.dead_letters(k_chain, "open").empty());
}

TEST_CASE("quarantining_a_token_sets_its_open_dead_letters_aside_and_is_idempotent") {
    TestDb db;
    store::Store& s = *db.store;
    s.record_dead_letter(item(5, 2, 1));
    s.record_dead_letter(item(6, 0, 2));
    s.quarantine_token(k_chain, Key(address(1)), "--quarantine-token", 4);
    s.quarantine_token(k_chain, Key(address(1)), "again", 9);
    auto q = s.quarantined_tokens(k_chain);
    REQUIRE(q.size() == 1);
    CHECK(q[0].token == Key(address(1)));
    CHECK(q[0].since_block == 4);
    CHECK(q[0].reason == "--quarantine-token");
    CHECK(s.dead_letters(k_chain, "quarantined").size() == 1);
    CHECK(s.dead_letters(k_chain, "open").size() == 1);  // token 2 still stops the chain
}

TEST_CASE("a_batch_writes_its_quarantined_items_with_its_blocks_or_not_at_all") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = make_batch(1, 3);
    add_transfer(b, 2, 1, 1, 2, 10);
    store::DeadLetter d = item(2, 7, 3);
    d.status = "quarantined";
    b.dead_letters.push_back(d);
    s.ingest(b);
    CHECK(s.dead_letters(k_chain, "quarantined").size() == 1);
    // A batch that fails (a stored block with another hash) writes none of its dead letters.
    store::Batch bad = make_batch(3, 4, 1);
    bad.blocks.front().parent_hash = block_hash(2);  // links, so the stored block 3 is compared
    bad.dead_letters.push_back(item(4, 1, 3));
    CHECK_THROWS(s.ingest(bad));
    CHECK(s.dead_letters(k_chain, "all").size() == 1);
}
