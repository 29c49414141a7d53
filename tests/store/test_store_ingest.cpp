// The write path (src/core/store/store_ingest.cpp): atomic, idempotent batches, watermarks,
// unwinds and finality promotion, on a real PostgreSQL.
#include <doctest/doctest.h>

#include <string>

#include "core/model/errors.hpp"
#include "store_test_support.hpp"

using namespace chainidx;
using namespace chainidx::test;

namespace {

const std::string k_max =  // 2^256 - 1
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

// Blocks 1..5: token 1 minted to A(1), A pays B(2), token 2 minted to B.
store::Batch first_batch() {
    store::Batch b = make_batch(1, 5);
    add_transfer(b, 1, 1, 0, 1, 1000);
    add_transfer(b, 3, 1, 1, 2, 100);
    add_transfer(b, 3, 1, 2, 2, 7);  // a self-transfer: two legs that cancel
    add_transfer(b, 4, 2, 0, 2, 50);
    return b;
}

// Blocks 6..10 on `branch`: more movements of the same pairs and new pairs.
store::Batch second_batch(uint8_t branch = 0) {
    store::Batch b = make_batch(6, 10, branch);
    b.blocks.front().parent_hash = block_hash(5);
    add_transfer(b, 6, 1, 1, 3, 200, branch);
    add_transfer(b, 8, 1, 2, 1, 30, branch);
    add_transfer(b, 9, 1, 3, 0, 50, branch);  // a burn
    add_transfer(b, 10, 2, 2, 4, 5, branch);
    add_transfer(b, 10, 2, 4, 2, 0, branch);  // zero amount
    return b;
}

int64_t finality_count(Sql& sql, const char* table, int finality) {
    return sql.count("SELECT count(*) FROM " + std::string(table) +
                     " WHERE finality = " + std::to_string(finality));
}

}  // namespace

TEST_CASE("ingest_writes_blocks_events_balances_and_watermark") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = first_batch();
    auto r = s.ingest(b);
    CHECK(r.events_inserted == b.events.size());
    CHECK(r.events_duplicate == 0);
    CHECK(r.balances_touched == 3);  // (1,A), (1,B), (2,B)
    CHECK(r.watermark_advanced);

    auto st = s.status(k_chain);
    CHECK(st.event_count == b.events.size());
    CHECK(st.block_count == 5);
    CHECK(st.balance_count == 3);
    REQUIRE(st.watermark.has_value());
    CHECK(*st.watermark == 5);
    CHECK(st.watermark_hash == hex::encode(block_hash(5)));

    auto bal = balance_map(s);
    CHECK(bal.size() == 3);
    CHECK(bal[pair_key(1, 1)] == "900");
    CHECK(bal[pair_key(1, 2)] == "100");
    CHECK(bal[pair_key(2, 2)] == "50");
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("ingest_same_batch_twice_inserts_nothing_the_second_time") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = first_batch();
    s.ingest(b);
    const auto balances = balance_map(s);
    const auto before = s.status(k_chain);
    const std::string fp = db.sql->fingerprint();

    auto r = s.ingest(b);
    CHECK(r.events_inserted == 0);
    CHECK(r.events_duplicate == b.events.size());
    CHECK(r.balances_touched == 0);
    CHECK_FALSE(r.watermark_advanced);
    CHECK(balance_map(s) == balances);
    CHECK(s.status(k_chain).event_count == before.event_count);
    CHECK(s.status(k_chain).balance_count == before.balance_count);
    CHECK(db.sql->fingerprint() == fp);
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("ingest_applies_only_the_new_events_of_a_partly_stored_range") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = first_batch();
    s.ingest(b);
    store::Batch more = first_batch();
    add_transfer(more, 5, 1, 2, 3, 40);
    auto r = s.ingest(more);
    CHECK(r.events_inserted == 2);
    CHECK(r.events_duplicate == b.events.size());
    auto bal = balance_map(s);
    CHECK(bal[pair_key(1, 2)] == "60");
    CHECK(bal[pair_key(1, 3)] == "40");
    CHECK(bal[pair_key(1, 1)] == "900");
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("ingest_skips_known_event_ids_in_a_range_with_no_stored_events") {
    // The fast path (no events stored in the range) must still never count an event twice.
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = first_batch();
    s.ingest(b);
    store::Batch later = make_batch(6, 7);
    later.blocks.front().parent_hash = block_hash(5);
    // The same event ids as block 3's, as a node reporting a log under another block would.
    for (BalanceEvent e : b.events)
        if (e.block_number == 3) later.events.push_back(e);
    add_transfer(later, 7, 1, 1, 4, 1);
    const auto known = later.events.size() - 2;
    auto r = s.ingest(later);
    CHECK(r.events_inserted == 2);
    CHECK(r.events_duplicate == known);
    auto bal = balance_map(s);
    CHECK(bal[pair_key(1, 1)] == "899");
    CHECK(bal[pair_key(1, 2)] == "100");
    CHECK(bal[pair_key(1, 4)] == "1");
    CHECK(s.status(k_chain).event_count == b.events.size() + 2);
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("ingest_block_hash_conflict_after_new_blocks_leaves_no_trace") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(first_batch());
    const std::string fp = db.sql->fingerprint();
    const auto balances = balance_map(s);

    // Blocks 4..8: 4 as stored, 5 with another hash, 6..8 new. The new blocks are written before
    // the conflict is found; none of them may stay.
    store::Batch b = make_batch(4, 8);
    b.blocks[1].hash = block_hash(5, 9);
    add_transfer(b, 4, 1, 1, 5, 1);
    add_transfer(b, 7, 1, 1, 6, 2);
    CHECK_THROWS_WITH_AS(s.ingest(b), doctest::Contains("testchain"), DataError);

    CHECK(db.sql->fingerprint() == fp);
    CHECK(balance_map(s) == balances);
    CHECK(*s.chain_state(k_chain).watermark == 5);
    CHECK(s.block_hash(k_chain, 5) == block_hash(5));
    CHECK_FALSE(s.block_hash(k_chain, 6).has_value());
    CHECK(db.sql->count("SELECT count(*) FROM blocks WHERE number > 5") == 0);
    CHECK(db.sql->count("SELECT count(*) FROM balance_events WHERE block_number >= 4") == 1);

    // The same store goes on working afterwards (and the fingerprint does see writes).
    auto r = s.ingest(second_batch());
    CHECK(r.watermark_advanced);
    CHECK(db.sql->fingerprint() != fp);
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("ingest_amount_overflow_after_events_were_copied_leaves_no_trace") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(first_batch());
    const std::string fp = db.sql->fingerprint();

    // Two credits of 2^256-1 to one account in one batch: the per-pair sum overflows 256 bits,
    // after the blocks and the events were already copied in the transaction.
    store::Batch b = make_batch(6, 8);
    add_transfer(b, 6, 1, 1, 3, 5);
    add_transfer(b, 7, 3, 0, 9, Amount::from_decimal(k_max));
    add_transfer(b, 8, 3, 0, 9, Amount::from_decimal(k_max));
    CHECK_THROWS_AS(s.ingest(b), DataError);

    CHECK(db.sql->fingerprint() == fp);
    CHECK(*s.chain_state(k_chain).watermark == 5);
    CHECK(s.status(k_chain).block_count == 5);
    CHECK(s.verify_balances(k_chain).empty());
}

// Regression test (src/core/store/store_ingest.cpp, write_new_events: `it->second.amount +
// e.delta`, fixed): the overflow is reported by Amount::operator+ as "amount overflow: X + Y does
// not fit in 256 bits", with neither the chain nor the block, tx or (token, account) named, against
// DESIGN.md invariant 6
// ("an error with the block and tx named").
TEST_CASE("ingest_amount_overflow_error_names_the_chain_and_block") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = make_batch(1234561, 1234570);
    add_transfer(b, 1234567, 3, 0, 9, Amount::from_decimal(k_max));
    add_transfer(b, 1234567, 3, 0, 9, Amount::from_decimal(k_max));
    try {
        s.ingest(b);
        FAIL("an overflowing balance was accepted");
    } catch (const DataError& e) {
        const std::string what = e.what();
        CAPTURE(what);
        CHECK(what.find("testchain") != std::string::npos);
        CHECK((what.find("1234567") != std::string::npos ||
               what.find("1234561") != std::string::npos));
    }
    CHECK(s.status(k_chain).event_count == 0);
}

// Regression test (src/core/store/store_ingest.cpp, fixed): only the fast path (write_new_events)
// checks that a balance stays within 256 bits, and only for the sum inside one batch. The checking
// path (write_events_checked) and the balance upserts of both paths add in NUMERIC(78,0), which
// holds up to 10^78-1, so a balance above 2^256-1 is stored silently; the same batch is refused or
// accepted depending on whether its range already had events. The stored value then breaks every
// later reader that parses it as an Amount (balances_at, hence reconcile, fails with "out of
// range").
TEST_CASE("ingest_refuses_a_balance_above_2_256_minus_1_on_every_path") {
    TestDb db;
    store::Store& s = *db.store;
    const Amount max = Amount::from_decimal(k_max);

    // The checking path: the range already holds events, and two new credits of 2^256-1 go to
    // one account. The fast path refuses exactly this batch on an empty range.
    store::Batch stored = make_batch(1, 5);
    add_transfer(stored, 1, 1, 0, 1, 1);
    s.ingest(stored);
    std::string fp = db.sql->fingerprint();
    store::Batch again = stored;
    add_transfer(again, 2, 3, 0, 9, max);
    add_transfer(again, 3, 3, 0, 9, max);
    CHECK_THROWS_AS(s.ingest(again), DataError);
    CHECK(db.sql->fingerprint() == fp);

    // Across batches: 2^256-1, then 1 more to the same account.
    store::Batch first = make_batch(6, 7);
    add_transfer(first, 6, 4, 0, 8, max);
    s.ingest(first);
    fp = db.sql->fingerprint();
    store::Batch second = make_batch(8, 9);
    add_transfer(second, 8, 4, 0, 8, 1);
    CHECK_THROWS_AS(s.ingest(second), DataError);
    CHECK(db.sql->fingerprint() == fp);

    CHECK_NOTHROW(s.balances_at(k_chain, *s.chain_state(k_chain).watermark, {}, {}, 0));
}

TEST_CASE("ingest_sql_error_after_blocks_were_written_leaves_no_trace") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(first_batch());
    const std::string fp = db.sql->fingerprint();

    // An event index beyond the integer column: PostgreSQL rejects the event rows, after the
    // batch's blocks were inserted.
    store::Batch b = make_batch(6, 8);
    add_transfer(b, 6, 1, 1, 3, 5);
    add_transfer(b, 7, 1, 1, 3, 6);
    b.events.back().event_index = 0x80000000u;
    CHECK_THROWS(s.ingest(b));

    CHECK(db.sql->fingerprint() == fp);
    CHECK(*s.chain_state(k_chain).watermark == 5);
    CHECK_FALSE(s.block_hash(k_chain, 6).has_value());
    // And the connection is usable again.
    CHECK(s.ingest(second_batch()).watermark_advanced);
}

TEST_CASE("ingest_refuses_a_batch_without_every_block_of_its_range") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = make_batch(1, 5);
    b.blocks.erase(b.blocks.begin() + 2);
    CHECK_THROWS_AS(s.ingest(b), DataError);
    store::Batch empty = make_batch(1, 5);
    empty.blocks.clear();
    CHECK_THROWS_AS(s.ingest(empty), DataError);
    store::Batch wrong_to = make_batch(1, 5);
    wrong_to.to = 6;
    CHECK_THROWS_AS(s.ingest(wrong_to), DataError);
    CHECK(s.status(k_chain).block_count == 0);
    CHECK_FALSE(s.chain_state(k_chain).watermark.has_value());
}

TEST_CASE("watermark_never_regresses_and_moves_only_over_contiguous_batches") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch recent = make_batch(10, 20);
    add_transfer(recent, 15, 1, 1, 2, 10);
    CHECK(s.ingest(recent).watermark_advanced);
    CHECK(*s.chain_state(k_chain).watermark == 20);

    // An older range (backfill): stored, but the watermark stays.
    store::Batch older = make_batch(0, 5);
    add_transfer(older, 2, 1, 0, 1, 100);
    auto r = s.ingest(older);
    CHECK_FALSE(r.watermark_advanced);
    CHECK(r.events_inserted == 1);
    auto st = s.chain_state(k_chain);
    CHECK(*st.watermark == 20);
    CHECK(st.watermark_hash == block_hash(20));
    CHECK(s.block_hash(k_chain, 3) == block_hash(3));
    CHECK(balance_map(s)[pair_key(1, 1)] == "90");

    // Overlapping what is indexed: stays.
    CHECK_FALSE(s.ingest(make_batch(15, 20)).watermark_advanced);
    CHECK(*s.chain_state(k_chain).watermark == 20);

    // Contiguous: advances.
    store::Batch next = make_batch(21, 25);
    CHECK(s.ingest(next).watermark_advanced);
    CHECK(*s.chain_state(k_chain).watermark == 25);
    CHECK(s.chain_state(k_chain).watermark_hash == block_hash(25));

    // A gap (26..29 missing): stored, the watermark stays at 25.
    CHECK_FALSE(s.ingest(make_batch(30, 35)).watermark_advanced);
    CHECK(*s.chain_state(k_chain).watermark == 25);

    // Partly above and contiguous with it: advances to its end.
    CHECK(s.ingest(make_batch(24, 28)).watermark_advanced);
    CHECK(*s.chain_state(k_chain).watermark == 28);
    CHECK(s.status(k_chain).reorg_count == 0);
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("unwind_reverses_deltas_removes_blocks_above_and_records_the_reorg") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b1 = first_batch();
    s.ingest(b1);
    const auto after_first = balance_map(s);
    const auto status_first = s.status(k_chain);
    store::Batch b2 = second_batch();
    s.ingest(b2);
    CHECK(balance_map(s) != after_first);

    store::UnwindRequest req;
    req.chain = k_chain;
    req.to_block = 5;
    req.new_hash = block_hash(6, 1);
    req.reason = "test reorg";
    auto r = s.unwind(req);
    CHECK(r.events_reverted == b2.events.size());
    CHECK(r.blocks_removed == 5);
    CHECK(r.old_head == 10);
    CHECK(r.balances_changed == 5);  // (1,A) (1,B) (1,C) (2,B) (2,D)

    CHECK(balance_map(s) == after_first);
    CHECK(s.verify_balances(k_chain).empty());
    auto st = s.status(k_chain);
    REQUIRE(st.watermark.has_value());
    CHECK(*st.watermark == 5);
    CHECK(st.watermark_hash == hex::encode(block_hash(5)));
    CHECK(st.event_count == status_first.event_count);
    CHECK(st.block_count == 5);
    CHECK_FALSE(s.block_hash(k_chain, 6).has_value());
    CHECK(db.sql->count("SELECT count(*) FROM balance_events WHERE block_number > 5") == 0);
    CHECK(st.reorg_count == 1);
    REQUIRE(st.last_reorg.has_value());
    CHECK(st.last_reorg->kind == "reorg");
    CHECK(st.last_reorg->fork_block == 5);
    CHECK(st.last_reorg->depth == 5);
    CHECK(st.last_reorg->old_head_number == 10);
    CHECK(st.last_reorg->old_head_hash == hex::encode(block_hash(10)));
    CHECK(st.last_reorg->new_hash == hex::encode(block_hash(6, 1)));
    CHECK(st.last_reorg->events_reverted == b2.events.size());

    // The new branch goes on from there.
    store::Batch fork = second_batch(1);
    fork.events.resize(2);  // only the first transfer happened on this branch
    auto ir = s.ingest(fork);
    CHECK(ir.watermark_advanced);
    CHECK(ir.events_inserted == 2);
    auto bal = balance_map(s);
    CHECK(bal[pair_key(1, 1)] == "700");
    CHECK(bal[pair_key(1, 3)] == "200");
    CHECK(s.chain_state(k_chain).watermark_hash == block_hash(10, 1));
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("unwind_dry_run_reports_and_changes_nothing") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(first_batch());
    s.ingest(second_batch());
    const std::string fp = db.sql->fingerprint();
    store::UnwindRequest req;
    req.chain = k_chain;
    req.to_block = 7;
    req.kind = "rollback";
    req.dry_run = true;
    auto r = s.unwind(req);
    CHECK(r.blocks_removed == 3);
    CHECK(r.events_reverted > 0);
    CHECK(db.sql->fingerprint() == fp);
    CHECK(s.status(k_chain).reorg_count == 0);
}

TEST_CASE("unwind_refuses_to_cross_the_finalized_block_unless_allowed") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(first_batch());
    s.ingest(second_batch());
    s.promote_finality(k_chain, 8, 6);
    CHECK(s.chain_state(k_chain).finalized_block == 6);
    const std::string fp = db.sql->fingerprint();

    store::UnwindRequest req;
    req.chain = k_chain;
    req.to_block = 5;
    CHECK_THROWS_WITH_AS(s.unwind(req), doctest::Contains("finalized"), DataError);
    req.kind = "rollback";
    CHECK_THROWS_AS(s.unwind(req), DataError);
    CHECK(db.sql->fingerprint() == fp);

    // Nothing above the watermark to undo: a usage error, not a silent no-op.
    req.to_block = 10;
    CHECK_THROWS_AS(s.unwind(req), UsageError);
    req.chain = "nochain";
    req.to_block = 1;
    CHECK_THROWS_AS(s.unwind(req), UsageError);
    CHECK(db.sql->fingerprint() == fp);

    // Down to the finalized block itself is allowed.
    req.chain = k_chain;
    req.to_block = 6;
    CHECK_NOTHROW(s.unwind(req));
    CHECK(*s.chain_state(k_chain).watermark == 6);

    // Below it with the override: done, and the finalized height follows.
    req.to_block = 2;
    req.allow_below_finalized = true;
    req.reason = "operator rollback";
    auto r = s.unwind(req);
    CHECK(r.finalized_block == 6);
    auto cs = s.chain_state(k_chain);
    CHECK(*cs.watermark == 2);
    CHECK(cs.finalized_block == 2);
    CHECK(cs.safe_block == 2);
    auto st = s.status(k_chain);
    CHECK(st.reorg_count == 2);
    CHECK(st.last_reorg->kind == "rollback");
    CHECK(st.last_reorg->depth == 4);
    CHECK(st.last_reorg->new_hash.empty());
    CHECK(balance_map(s) == std::map<std::string, std::string>{{pair_key(1, 1), "1000"}});
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("promote_finality_stamps_blocks_and_events_and_never_goes_back") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(first_batch());
    s.ingest(second_batch());
    Sql& sql = *db.sql;
    CHECK(finality_count(sql, "blocks", 0) == 10);
    CHECK(finality_count(sql, "balance_events", 0) == s.status(k_chain).event_count);

    s.promote_finality(k_chain, 8, 5);
    auto cs = s.chain_state(k_chain);
    CHECK(cs.safe_block == 8);
    CHECK(cs.finalized_block == 5);
    CHECK(sql.count("SELECT count(*) FROM blocks WHERE finality = 2") == 5);
    CHECK(sql.count("SELECT max(number) FROM blocks WHERE finality = 2") == 5);
    CHECK(sql.count("SELECT count(*) FROM blocks WHERE finality = 1") == 3);
    CHECK(sql.count("SELECT min(number) FROM blocks WHERE finality = 0") == 9);
    CHECK(sql.count("SELECT count(*) FROM balance_events WHERE finality <> CASE"
                    " WHEN block_number <= 5 THEN 2 WHEN block_number <= 8 THEN 1 ELSE 0 END") ==
          0);

    // A lagging node's lower heights are not a reorg: nothing goes back.
    s.promote_finality(k_chain, 3, 2);
    CHECK(s.chain_state(k_chain).finalized_block == 5);
    CHECK(s.chain_state(k_chain).safe_block == 8);
    CHECK(sql.count("SELECT count(*) FROM blocks WHERE finality = 2") == 5);

    // Never past what is indexed.
    s.promote_finality(k_chain, 100, 50);
    cs = s.chain_state(k_chain);
    CHECK(cs.finalized_block == 10);
    CHECK(cs.safe_block == 10);
    CHECK(sql.count("SELECT count(*) FROM blocks WHERE finality = 2") == 10);
    CHECK(sql.count("SELECT count(*) FROM balance_events WHERE finality <> 2") == 0);

    // A chain with nothing indexed: nothing to do.
    CHECK_NOTHROW(s.promote_finality("nochain", 5, 5));
}

TEST_CASE("ingest_stamps_finality_from_the_batch_heights") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b = make_batch(1, 10);
    for (uint64_t n = 1; n <= 10; ++n) add_transfer(b, n, 1, 0, 1, n);
    b.safe_block = 8;
    b.finalized_block = 5;
    s.ingest(b);
    Sql& sql = *db.sql;
    CHECK(sql.count("SELECT count(*) FROM blocks WHERE finality <> CASE"
                    " WHEN number <= 5 THEN 2 WHEN number <= 8 THEN 1 ELSE 0 END") == 0);
    CHECK(sql.count("SELECT count(*) FROM balance_events WHERE finality <> CASE"
                    " WHEN block_number <= 5 THEN 2 WHEN block_number <= 8 THEN 1 ELSE 0 END") ==
          0);
    auto cs = s.chain_state(k_chain);
    CHECK(cs.finalized_block == 5);
    CHECK(cs.safe_block == 8);
}

TEST_CASE("backfill_jobs_resume_where_the_last_committed_batch_ended") {
    TestDb db;
    store::Store& s = *db.store;
    CHECK(s.start_backfill(k_chain, 1, 10) == 1);
    store::Batch b = first_batch();
    b.job = store::BackfillJob{1, 10};
    s.ingest(b);
    CHECK(s.start_backfill(k_chain, 1, 10) == 6);
    auto st = s.status(k_chain);
    REQUIRE(st.unfinished_backfills.size() == 1);
    CHECK(st.unfinished_backfills[0].from == 1);
    CHECK(st.unfinished_backfills[0].to == 10);

    // A batch that fails commits no progress either.
    store::Batch bad = second_batch();
    bad.job = store::BackfillJob{1, 10};
    store::Batch other = make_batch(6, 6, 4);  // block 6 stored with yet another hash
    other.blocks.front().parent_hash = block_hash(5);
    s.ingest(other);
    CHECK_THROWS_AS(s.ingest(bad), DataError);
    CHECK(s.start_backfill(k_chain, 1, 10) == 6);

    // Done only once every block of it is committed.
    CHECK_THROWS_AS(s.finish_backfill(k_chain, 1, 10), Error);
    CHECK(s.status(k_chain).unfinished_backfills.size() == 1);
    store::Batch rest = make_batch(6, 10, 4);
    rest.blocks.front().parent_hash = block_hash(5);
    rest.job = store::BackfillJob{1, 10};
    s.ingest(rest);
    s.finish_backfill(k_chain, 1, 10);
    CHECK(s.status(k_chain).unfinished_backfills.empty());
    CHECK(s.start_backfill(k_chain, 1, 10) == 11);
}

// The fast path COPYs a fresh range straight into balance_events; an event id already stored at
// another block (a node that re-reports a tx) must still count once: the key rejects the COPY and
// the batch is redone on the checking path, adding only what is new.
TEST_CASE("ingest_of_an_event_id_stored_at_another_block_counts_it_once") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch first = first_batch();
    s.ingest(first);
    const auto before = balance_map(s);

    store::Batch next = make_batch(6, 7);
    next.blocks.front().parent_hash = block_hash(5);
    BalanceEvent again = first.events.front();  // same (tx, index, leg), now "in" block 6
    again.block_number = 6;
    again.block_hash = next.blocks.front().hash;
    next.events.push_back(again);
    add_transfer(next, 7, 3, 0, 5, 11);  // and one genuinely new mint
    auto r = s.ingest(next);
    CHECK(r.events_inserted == 1);
    CHECK(r.events_duplicate == 1);

    auto after = before;
    after[pair_key(3, 5)] = "11";
    CHECK_MESSAGE(balance_map(s) == after, show(balance_map(s)));
    CHECK(s.verify_balances(k_chain).empty());
    CHECK(s.status(k_chain).watermark == std::optional<uint64_t>(7));
}
