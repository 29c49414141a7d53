// Writers of one chain never leave holes (invariant 8 of DESIGN.md): a batch whose ground moved
// is refused inside its own transaction, a backfill whose blocks were unwound is not marked done,
// `status --verify` sees holes and detached runs, and event ids name one balance change.
#include <doctest/doctest.h>

#include <string>

#include "core/model/errors.hpp"
#include "store_test_support.hpp"

using namespace chainidx;
using namespace chainidx::test;

namespace {

store::UnwindRequest rollback_to(uint64_t block) {
    store::UnwindRequest req;
    req.chain = k_chain;
    req.to_block = block;
    req.kind = "rollback";
    req.allow_below_finalized = true;
    return req;
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
    for (const auto& p : problems)
        if (p.find(text) != std::string::npos) return true;
    return false;
}

std::string joined(const std::vector<std::string>& problems) {
    std::string out;
    for (const auto& p : problems) out += p + "\n";
    return out;
}

}  // namespace

TEST_CASE("a_batch_whose_required_parent_was_unwound_is_refused_and_writes_nothing") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(make_batch(0, 20));
    s.unwind(rollback_to(10));  // a rollback runs while a writer holds blocks 21.. in memory
    const std::string before = db.sql->fingerprint();

    store::Batch next = make_batch(21, 25);
    add_transfer(next, 22, 1, 0, 1, 5);
    next.parent_required = true;
    try {
        s.ingest(next);
        FAIL("the batch was accepted");
    } catch (const DataError&) {
        FAIL("a vanished parent is not the chain's fault (exit 1, not 4)");
    } catch (const Error& e) {
        CHECK(e.exit_code() == k_exit_failure);
        CHECK(std::string(e.what()).find("block 20") != std::string::npos);
        CHECK(std::string(e.what()).find("was removed while this run was writing") !=
              std::string::npos);
    }
    CHECK(db.sql->fingerprint() == before);

    // Without the requirement (a backfill starting in the middle) a missing parent is fine.
    next.parent_required = false;
    CHECK_NOTHROW(s.ingest(next));
}

// Checked in the writing transaction and reported, not thrown: the engine unwinds the reorg, the
// ingest command refuses its input.
TEST_CASE("a_batch_whose_stored_parent_has_another_hash_is_reported_and_writes_nothing") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(make_batch(0, 5));
    const std::string before = db.sql->fingerprint();
    for (bool required : {false, true}) {
        store::Batch other = make_batch(6, 8, 3);  // block 6's parent is branch 3's block 5
        add_transfer(other, 7, 1, 0, 1, 5, 3);
        other.parent_required = required;
        const store::IngestResult r = s.ingest(other);
        CHECK(r.parent_mismatch);
        CHECK(r.stored_parent == block_hash(5));
        CHECK(r.events_inserted == 0);
        CHECK_FALSE(r.watermark_advanced);
        CHECK(db.sql->fingerprint() == before);
    }
    store::Batch linked = make_batch(6, 8);
    CHECK_FALSE(s.ingest(linked).parent_mismatch);
    CHECK(*s.chain_state(k_chain).watermark == 8);
}

TEST_CASE("a_backfill_whose_blocks_were_unwound_is_not_marked_done") {
    TestDb db;
    store::Store& s = *db.store;
    CHECK(s.start_backfill(k_chain, 0, 20) == 0);
    store::Batch b = make_batch(0, 20);
    b.job = store::BackfillJob{0, 20};
    s.ingest(b);
    s.unwind(rollback_to(7));
    CHECK_THROWS_AS(s.finish_backfill(k_chain, 0, 20), Error);
    auto st = s.status(k_chain);
    REQUIRE(st.unfinished_backfills.size() == 1);
    CHECK(s.start_backfill(k_chain, 0, 20) == 8);  // a rerun continues above the rollback
}

TEST_CASE("an_unwind_below_a_backfill_moves_its_progress_to_its_start_not_below") {
    TestDb db;
    store::Store& s = *db.store;
    s.ingest(make_batch(0, 10));
    s.start_backfill(k_chain, 100, 120);
    store::Batch b = make_batch(100, 120);
    b.job = store::BackfillJob{100, 120};
    s.ingest(b);
    s.finish_backfill(k_chain, 100, 120);
    s.unwind(rollback_to(5));
    CHECK(s.start_backfill(k_chain, 100, 120) == 100);
    CHECK(s.verify_continuity(k_chain).problems.empty());
}

TEST_CASE("verify_continuity_passes_a_sound_chain_and_names_every_kind_of_hole") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch live = make_batch(0, 30);
    add_transfer(live, 3, 1, 0, 1, 100);
    s.ingest(live);
    s.start_backfill(k_chain, 100, 140);
    store::Batch far = make_batch(100, 140);
    far.job = store::BackfillJob{100, 140};
    s.ingest(far);
    s.finish_backfill(k_chain, 100, 140);
    auto ok = s.verify_continuity(k_chain);
    CHECK_MESSAGE(ok.problems.empty(), joined(ok.problems));
    REQUIRE(ok.runs.size() == 2);
    CHECK(ok.runs[0].from == 0);
    CHECK(ok.runs[0].to == 30);
    CHECK(ok.runs[1].from == 100);

    SUBCASE("a hole inside a backfill's done range") {
        db.sql->exec("DELETE FROM blocks WHERE chain = 'testchain' AND number BETWEEN 110 AND 115");
        auto r = s.verify_continuity(k_chain);
        CHECK_MESSAGE(mentions(r.problems, "blocks 110..115 are not stored"), joined(r.problems));
    }
    SUBCASE("blocks that belong to nothing") {
        s.ingest(make_batch(200, 210));  // no job, not contiguous with the watermark
        auto r = s.verify_continuity(k_chain);
        CHECK_MESSAGE(mentions(r.problems, "blocks 200..210 are stored, but neither"),
                      joined(r.problems));
    }
    SUBCASE("a block that does not link") {
        db.sql->exec(
            "UPDATE blocks SET parent_hash = '\\x00' WHERE chain = 'testchain' AND number = 12");
        auto r = s.verify_continuity(k_chain);
        CHECK_MESSAGE(mentions(r.problems, "block 12 does not link"), joined(r.problems));
    }
    SUBCASE("an event of a block that is not stored") {
        db.sql->exec("DELETE FROM blocks WHERE chain = 'testchain' AND number = 3");
        auto r = s.verify_continuity(k_chain);
        CHECK_MESSAGE(mentions(r.problems, "1 events belong to no stored block"),
                      joined(r.problems));
    }
    SUBCASE("the watermark's block gone") {
        db.sql->exec("DELETE FROM blocks WHERE chain = 'testchain' AND number = 30");
        auto r = s.verify_continuity(k_chain);
        CHECK_MESSAGE(mentions(r.problems, "the watermark block 30 is not stored"),
                      joined(r.problems));
    }
}

TEST_CASE("an_event_id_with_another_content_is_refused_on_every_path") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch first = make_batch(1, 3);
    add_transfer(first, 2, 1, 1, 2, 100);
    s.ingest(first);
    const std::string before = db.sql->fingerprint();

    SUBCASE("already stored with another amount") {
        store::Batch again = make_batch(1, 3);
        add_transfer(again, 2, 1, 1, 2, 999);  // same tx, index and legs
        CHECK_THROWS_WITH_AS(s.ingest(again), doctest::Contains("two different items under one id"),
                             DataError);
    }
    SUBCASE("twice in one fresh batch") {
        store::Batch next = make_batch(4, 5);
        add_transfer(next, 4, 1, 0, 3, 10);
        BalanceEvent twin = next.events.back();
        twin.account = address(4);  // another account under the same id
        next.events.push_back(twin);
        CHECK_THROWS_WITH_AS(s.ingest(next), doctest::Contains("another account"), DataError);
    }
    CHECK(db.sql->fingerprint() == before);
}

TEST_CASE("numbers_the_database_cannot_hold_are_refused") {
    TestDb db;
    store::Store& s = *db.store;
    const std::string before = db.sql->fingerprint();
    store::Batch huge = make_batch(1, 1);
    huge.blocks[0].number = huge.from = huge.to = uint64_t(1) << 63;
    CHECK_THROWS_WITH_AS(s.ingest(huge), doctest::Contains("9223372036854775808"), DataError);
    store::Batch late = make_batch(1, 1);
    late.blocks[0].timestamp = uint64_t(1) << 63;
    CHECK_THROWS_AS(s.ingest(late), DataError);
    store::Batch wide = make_batch(1, 1);
    add_transfer(wide, 1, 1, 0, 1, 5);
    wide.events[0].event_index = uint32_t(1) << 31;
    CHECK_THROWS_WITH_AS(s.ingest(wide), doctest::Contains("2147483648"), DataError);
    CHECK(db.sql->fingerprint() == before);
}
