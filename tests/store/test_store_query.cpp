// Read queries and the balances-equal-events check (src/core/store/store_query.cpp).
#include <doctest/doctest.h>

#include <string>

#include "core/model/errors.hpp"
#include "store_test_support.hpp"

using namespace chainidx;
using namespace chainidx::test;

namespace {

std::string bytea_literal(const Address& a) {
    return "decode('" + hex::encode(a).substr(2) + "', 'hex')";
}

// Blocks 1..10, one event pair per block, pairs moving among accounts 1..4 of tokens 1..2.
void ingest_history(store::Store& s) {
    store::Batch a = make_batch(1, 4);
    add_transfer(a, 1, 1, 0, 1, 1000);
    add_transfer(a, 2, 1, 1, 2, 250);
    add_transfer(a, 3, 2, 0, 3, 77);
    add_transfer(a, 4, 1, 2, 3, 50);
    s.ingest(a);
    store::Batch b = make_batch(5, 7);
    add_transfer(b, 5, 2, 3, 1, 7);
    add_transfer(b, 6, 1, 3, 3, 10);
    add_transfer(b, 7, 1, 1, 0, 100);
    s.ingest(b);
    store::Batch c = make_batch(8, 10);
    add_transfer(c, 8, 1, 1, 4, 5);
    add_transfer(c, 9, 2, 1, 4, 7);
    add_transfer(c, 10, 1, 4, 2, 5);
    s.ingest(c);
}

}  // namespace

TEST_CASE("balances_equal_the_sum_of_events_after_batches_and_unwind") {
    TestDb db;
    store::Store& s = *db.store;
    ingest_history(s);
    CHECK(s.verify_balances(k_chain).empty());
    auto bal = balance_map(s);
    CHECK(bal[pair_key(1, 1)] == "645");
    CHECK(bal[pair_key(1, 2)] == "205");
    CHECK(bal[pair_key(1, 3)] == "50");
    CHECK(bal.count(pair_key(2, 1)) == 0);  // +7 -7: zero, left out
    CHECK(bal[pair_key(2, 3)] == "70");
    CHECK(bal[pair_key(2, 4)] == "7");

    store::UnwindRequest req;
    req.chain = k_chain;
    req.to_block = 6;
    s.unwind(req);
    CHECK(s.verify_balances(k_chain).empty());
    store::Batch again = make_batch(7, 12, 1);
    again.blocks.front().parent_hash = block_hash(6);
    add_transfer(again, 7, 1, 2, 1, 1, 1);
    add_transfer(again, 12, 2, 3, 2, 70, 1);
    s.ingest(again);
    s.ingest(again);  // and once more: no change
    CHECK(s.verify_balances(k_chain).empty());
    bal = balance_map(s);
    CHECK(bal[pair_key(1, 1)] == "751");
    CHECK(bal[pair_key(2, 2)] == "70");
    CHECK(bal.count(pair_key(2, 3)) == 0);  // zero now: left out
}

TEST_CASE("verify_balances_reports_exactly_the_corrupted_pair") {
    TestDb db;
    store::Store& s = *db.store;
    ingest_history(s);
    REQUIRE(s.verify_balances(k_chain).empty());

    db.sql->exec("UPDATE balances SET amount = amount + 1 WHERE token = " +
                 bytea_literal(address(1)) + " AND account = " + bytea_literal(address(3)));
    auto bad = s.verify_balances(k_chain);
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].token == Key(address(1)));
    CHECK(bad[0].account == Key(address(3)));
    CHECK(bad[0].balance == "51");
    CHECK(bad[0].sum_of_events == "50");

    // A balance row with no events behind it, and events with no balance row, are both reported.
    db.sql->exec("UPDATE balances SET amount = amount - 1 WHERE token = " +
                 bytea_literal(address(1)) + " AND account = " + bytea_literal(address(3)));
    db.sql->exec("DELETE FROM balances WHERE token = " + bytea_literal(address(2)) +
                 " AND account = " + bytea_literal(address(4)));
    db.sql->exec("INSERT INTO balances VALUES ('testchain', " + bytea_literal(address(9)) + ", " +
                 bytea_literal(address(9)) + ", 12, 1)");
    bad = s.verify_balances(k_chain);
    REQUIRE(bad.size() == 2);
    CHECK(bad[0].token == Key(address(2)));
    CHECK(bad[0].account == Key(address(4)));
    CHECK(bad[0].balance == "0");
    CHECK(bad[0].sum_of_events == "7");
    CHECK(bad[1].token == Key(address(9)));
    CHECK(bad[1].balance == "12");
    CHECK(bad[1].sum_of_events == "0");
    // Other chains are not mixed in.
    CHECK(s.verify_balances("otherchain").empty());
}

TEST_CASE("balances_filter_by_token_and_account_and_hide_zero_unless_asked") {
    TestDb db;
    store::Store& s = *db.store;
    ingest_history(s);
    store::BalanceQuery q;
    q.chain = k_chain;
    q.token = address(1);
    auto r = s.balances(q);
    REQUIRE(r.block.has_value());
    CHECK(*r.block == 10);
    CHECK(r.rows.size() == 3);  // accounts 1, 2, 3; account 4 is at zero
    for (const auto& row : r.rows) CHECK(row.token == Key(address(1)));
    q.include_zero = true;
    CHECK(s.balances(q).rows.size() == 4);
    q.account = address(2);
    r = s.balances(q);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].amount == "205");
    q.token.reset();
    q.include_zero = false;
    CHECK(s.balances(q).rows.size() == 1);  // token 2 of account 2: none
    q.chain = "otherchain";
    CHECK(s.balances(q).rows.empty());
    CHECK_FALSE(s.balances(q).block.has_value());
}

TEST_CASE("balances_at_finalized_exclude_events_not_yet_final") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = make_batch(1, 10);
    add_transfer(b, 2, 1, 0, 1, 100);
    add_transfer(b, 7, 1, 1, 2, 30);
    add_transfer(b, 9, 1, 1, 2, 5);
    s.ingest(b);
    s.promote_finality(k_chain, 8, 5);

    auto fin = s.balances({k_chain, std::nullopt, std::nullopt, Finality::finalized, false});
    REQUIRE(fin.block.has_value());
    CHECK(*fin.block == 5);
    REQUIRE(fin.rows.size() == 1);
    CHECK(fin.rows[0].account == Key(address(1)));
    CHECK(fin.rows[0].amount == "100");

    auto safe = balance_map(s, Finality::safe);
    CHECK(safe ==
          std::map<std::string, std::string>{{pair_key(1, 1), "70"}, {pair_key(1, 2), "30"}});
    auto head = balance_map(s, Finality::pending);
    CHECK(head ==
          std::map<std::string, std::string>{{pair_key(1, 1), "65"}, {pair_key(1, 2), "35"}});
    CHECK(*s.balances({k_chain, std::nullopt, std::nullopt, Finality::safe, false}).block == 8);

    // Promoted further: the finalized view catches up.
    s.promote_finality(k_chain, 10, 10);
    CHECK(balance_map(s, Finality::finalized) == head);
}

// Regression test (src/core/store/store_ingest.cpp, Store::ingest_once, the watermark upsert,
// fixed): a batch stamps its rows with the chain's safe/finalized heights, but on an existing
// watermark row the upsert only moves block_number, never safe_block/finalized_block (they are set
// on the first INSERT only). Until promote_finality runs at the end of a run, the stored finalized
// height lags the stamps, and balances(at = finalized) (src/core/store/store_query.cpp,
// Store::balances, which subtracts only events above the stored height *and* not yet final) reports
// that lagging block while including the events of later blocks that the batch stamped final.
TEST_CASE("balances_at_finalized_match_their_block_while_batches_stamp_finality") {
    TestDb db;
    store::Store& s = *db.store;
    // One run of two batches, both fetched when the chain's finalized height was 8.
    store::Batch a = make_batch(1, 5);
    add_transfer(a, 2, 1, 0, 1, 100);
    a.safe_block = 8;
    a.finalized_block = 8;
    s.ingest(a);
    store::Batch b = make_batch(6, 10);
    add_transfer(b, 7, 1, 1, 2, 30);
    add_transfer(b, 9, 1, 1, 2, 5);
    b.safe_block = 8;
    b.finalized_block = 8;
    s.ingest(b);

    auto fin = s.balances({k_chain, std::nullopt, std::nullopt, Finality::finalized, false});
    REQUIRE(fin.block.has_value());
    // Whatever block the answer is for, its amounts must be the balances at that block.
    std::map<std::string, std::string> expected;
    if (*fin.block >= 7)
        expected = {{pair_key(1, 1), "70"}, {pair_key(1, 2), "30"}};
    else if (*fin.block >= 2)
        expected = {{pair_key(1, 1), "100"}};
    std::map<std::string, std::string> got;
    for (const auto& row : fin.rows)
        got[hex_of(row.token) + "/" + hex_of(row.account)] = row.amount;
    CAPTURE(*fin.block);
    CHECK_MESSAGE(got == expected, "balances at block " << *fin.block << ": " << show(got)
                                                        << ", expected " << show(expected));
    CHECK(*fin.block == 8);
}

TEST_CASE("status_counts_rows_of_one_chain") {
    TestDb db;
    store::Store& s = *db.store;
    auto empty = s.status(k_chain);
    CHECK_FALSE(empty.watermark.has_value());
    CHECK(empty.event_count == 0);
    CHECK_FALSE(empty.last_reorg.has_value());
    ingest_history(s);
    auto st = s.status(k_chain);
    CHECK(st.chain == k_chain);
    CHECK(st.block_count == 10);
    CHECK(st.event_count == 17);
    CHECK(st.balance_count == 7);  // zero balances keep their row
    CHECK(st.reorg_count == 0);
    CHECK(s.status("otherchain").event_count == 0);
}
