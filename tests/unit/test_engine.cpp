// The engine (and through it the Fetcher) on a fake in-memory chain, against the real PostgreSQL
// store (CHAINIDX_TEST_DATABASE_URL; fails when it is unset). Balances are checked against sums
// computed here from the fake chain's blocks, never against chainidx's own output.
#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "../store/store_test_support.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/engine.hpp"
#include "core/pipeline/stop.hpp"
#include "core/store/store.hpp"
#include "fake_chain.hpp"

using namespace chainidx;
using namespace chainidx::test;
using pipeline::Step;

namespace {

// One test's world: a fresh database, a fake chain, the config the engine reads.
struct World {
    TestDb db;
    FakeChain chain;
    config::ChainConfig config;
    World() {
        config.name = k_chain;
        config.family.value = chain::Family::evm;
        config.chain_id.value = k_chain_id;
        config.confirmations.value = 0;
        config.start_block.value = 0;
        config.batch_blocks.value = 4;  // a batch gathers two fetches of 2 blocks
        config.poll_interval_ms.value = 10;
    }
    pipeline::Engine engine() { return pipeline::Engine(config, *db.store, chain.factory()); }
    store::ChainState state() { return db.store->chain_state(k_chain); }
    std::map<std::string, std::string> balances() { return balance_map(*db.store); }
    pipeline::RunReport scan_once() { return engine().scan(false); }
};

// The stop flag is process-wide: cleared whatever a case does.
struct ClearStop {
    ~ClearStop() { pipeline::request_stop(0); }
};

void check_sound(World& w) {
    CHECK(w.db.store->verify_balances(k_chain).empty());
    const store::ContinuityReport c = w.db.store->verify_continuity(k_chain);
    for (const std::string& p : c.problems) FAIL_CHECK(p);
}

}  // namespace

TEST_CASE("engine: a scan indexes the chain in batches of fetched ranges") {
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    const pipeline::RunReport r = w.scan_once();
    CHECK(r.blocks == 11);
    CHECK(r.batches == 3);  // 0..3, 4..7, 8..10
    CHECK(w.state().watermark == 10);
    CHECK(w.state().watermark_hash == block_hash(10));
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 10), show(w.balances()));
    check_sound(w);
}

TEST_CASE("engine: a reorg at the tip is unwound and the new branch indexed") {
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    w.scan_once();
    add_branch(w.chain, 8, 12, 1, 0);  // forks after block 7
    const pipeline::RunReport r = w.scan_once();
    CHECK(r.reorgs == 1);
    CHECK(w.state().watermark == 12);
    CHECK(w.state().watermark_hash == block_hash(12, 1));
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 12), show(w.balances()));
    CHECK(w.db.sql->count("SELECT count(*) FROM reorgs WHERE fork_block = 7 AND depth = 3") == 1);
    check_sound(w);
}

TEST_CASE("engine: a reorg deeper than finality is refused and changes nothing") {
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    w.chain.set_finalized(8);
    w.scan_once();
    REQUIRE(w.state().finalized_block == 8);
    add_branch(w.chain, 5, 12, 1, 0);  // forks after block 4, below the finalized 8
    const std::string before = w.db.sql->fingerprint();
    const auto balances = w.balances();
    CHECK_THROWS_WITH_AS(w.scan_once(), doctest::Contains("deeper than finality"), DataError);
    CHECK(w.db.sql->fingerprint() == before);
    CHECK(w.balances() == balances);
    CHECK(w.state().watermark == 10);
}

TEST_CASE("engine: a lagging node is waited out, nothing unwound") {
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    w.scan_once();
    // Behind us, and on another branch there: only a node at our height says anything about it.
    add_branch(w.chain, 6, 7, 1, 0);
    w.chain.set_head(7);
    const std::string before = w.db.sql->fingerprint();
    pipeline::Engine engine = w.engine();
    engine.prepare();
    pipeline::ScanCursor cursor;
    pipeline::RunReport report;
    CHECK(engine.scan_step(cursor, report) == Step::nothing_new);
    CHECK(engine.scan_step(cursor, report) == Step::nothing_new);
    CHECK(report.reorgs == 0);
    CHECK(w.state().watermark == 10);
    CHECK(w.db.sql->fingerprint() == before);
}

TEST_CASE("engine: a dead letter stops the chain at its block") {
    for (uint64_t at : {6, 4}) {  // inside a batch (4..5 committed first); a batch's first block
        CAPTURE(at);
        World w;
        add_branch(w.chain, 0, 10, 0, 0);
        w.chain.add_dead_letter(at);
        CHECK_THROWS_WITH_AS(w.scan_once(),
                             doctest::Contains(("stopped at block " + std::to_string(at)).c_str()),
                             DataError);
        CHECK(w.state().watermark == at - 1);
        CHECK_MESSAGE(w.balances() == w.chain.balances(0, at - 1), show(w.balances()));
        CHECK(w.db.store->open_dead_letters(k_chain) == 1);
        // A backfill over it stops there too, with the same one dead letter.
        CHECK_THROWS_AS(w.engine().backfill(0, 10), DataError);
        CHECK(w.state().watermark == at - 1);
        CHECK(w.db.store->open_dead_letters(k_chain) == 1);
        check_sound(w);
    }
}

TEST_CASE("engine: a stop request ends the run between batches, what was committed stays") {
    ClearStop clear;
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    pipeline::Engine engine = w.engine();
    engine.prepare();
    pipeline::ScanCursor cursor;
    pipeline::RunReport report;
    REQUIRE(engine.scan_step(cursor, report) == Step::committed);
    CHECK(w.state().watermark == 3);
    pipeline::request_stop(SIGTERM);
    CHECK(engine.scan_step(cursor, report) == Step::stopped);
    const pipeline::RunReport again = w.engine().scan(true);  // --follow returns at once
    CHECK(again.stopped_by_signal == SIGTERM);
    CHECK(again.blocks == 0);
    CHECK(w.state().watermark == 3);
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 3), show(w.balances()));
}

// Fails on the engine before issue 11: with nothing past the watermark, scan never looked at the
// watermark block again, so the orphaned tip stayed until a block arrived above it.
TEST_CASE("engine: a tip replaced at the same height is unwound on the next poll") {
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    w.scan_once();
    add_branch(w.chain, 10, 10, 1, 0);  // block 10 replaced, the head still 10
    const pipeline::RunReport r = w.scan_once();
    CHECK(r.reorgs == 1);
    CHECK(w.state().watermark == 10);
    CHECK(w.state().watermark_hash == block_hash(10, 1));
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 10), show(w.balances()));
    check_sound(w);
}

TEST_CASE("engine: with confirmations, a replaced watermark block is looked at once confirmed") {
    World w;
    w.config.confirmations.value = 2;
    add_branch(w.chain, 0, 12, 0, 0);
    w.scan_once();
    REQUIRE(w.state().watermark == 10);
    add_branch(w.chain, 10, 11, 1, 0);  // 10 and 11 replaced; the node's head is 11
    w.chain.set_head(11);
    CHECK(w.scan_once().reorgs == 0);  // block 10 has one block on top, not 2: not yet
    CHECK(w.state().watermark_hash == block_hash(10));
    add_branch(w.chain, 12, 12, 1, 1);
    w.chain.set_head(std::nullopt);
    const pipeline::RunReport r = w.scan_once();
    CHECK(r.reorgs == 1);
    CHECK(w.state().watermark == 10);
    CHECK(w.state().watermark_hash == block_hash(10, 1));
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 10), show(w.balances()));
}

TEST_CASE("engine: an empty chain without start_block is refused unless --from-head") {
    World w;
    w.config.start_block.value = std::nullopt;
    w.config.confirmations.value = 2;
    add_branch(w.chain, 0, 10, 0, 0);
    const std::string before = w.db.sql->fingerprint();
    try {
        w.scan_once();
        FAIL("an empty chain without start_block was scanned");
    } catch (const UsageError& e) {
        const std::string what = e.what();
        CAPTURE(what);
        CHECK(what.find("start_block") != std::string::npos);
        CHECK(what.find("chainidx backfill") != std::string::npos);
        CHECK(what.find("--from-head") != std::string::npos);
    }
    CHECK(w.db.sql->fingerprint() == before);
    CHECK(w.chain.fetches() == 0);

    const pipeline::RunReport r = w.engine().scan(false, /*from_head=*/true);
    CHECK(r.first_block == 8);  // the head 10 less 2 confirmations
    CHECK(w.state().watermark == 8);
    CHECK_MESSAGE(w.balances() == w.chain.balances(8, 8), show(w.balances()));
    // Once something is indexed, the watermark decides; --from-head is not needed.
    add_branch(w.chain, 11, 12, 0, 0);
    CHECK(w.scan_once().blocks == 2);
    CHECK(w.state().watermark == 10);
}

TEST_CASE("engine: a node answering from another branch is fetched again, 4 times at most") {
    SUBCASE("once: refetched, indexed as if nothing happened") {
        World w;
        add_branch(w.chain, 0, 10, 0, 0);
        w.chain.answer_from_other_branch(5);
        const pipeline::RunReport r = w.scan_once();
        CHECK(r.reorgs == 0);
        CHECK(w.state().watermark == 10);
        CHECK(w.chain.fetches() > 6);  // 6 fetches of 2 blocks without the refetch
        CHECK_MESSAGE(w.balances() == w.chain.balances(0, 10), show(w.balances()));
    }
    SUBCASE("at a batch's first block: the unwind finds nothing changed, and refetches") {
        World w;
        add_branch(w.chain, 0, 10, 0, 0);
        w.chain.answer_from_other_branch(4);
        const pipeline::RunReport r = w.scan_once();
        CHECK(r.reorgs == 0);
        CHECK(w.state().watermark == 10);
        CHECK_MESSAGE(w.balances() == w.chain.balances(0, 10), show(w.balances()));
    }
    SUBCASE("always: DataError (exit 4) after 4 fetches, the blocks below kept") {
        for (uint64_t at : {5, 4}) {
            CAPTURE(at);
            World w;
            add_branch(w.chain, 0, 10, 0, 0);
            w.chain.answer_from_other_branch(at, 1000);
            try {
                w.scan_once();
                FAIL("a node that never links was indexed");
            } catch (const DataError& e) {
                CHECK(std::string(e.what()).find("after 4 fetches") != std::string::npos);
                CHECK(e.exit_code() == k_exit_inconsistent);
            }
            CHECK(w.state().watermark == 3);
            CHECK(w.db.sql->count("SELECT count(*) FROM reorgs") == 0);
        }
    }
}

TEST_CASE("engine: a failing fetch stops the run (exit 1); the rerun goes on from the watermark") {
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    w.scan_once();
    add_branch(w.chain, 11, 14, 0, 0);
    w.chain.fail_next_fetch();
    try {
        w.scan_once();
        FAIL("a failing fetch was not reported");
    } catch (const DataError&) {
        FAIL("a node that is down is not the chain's fault");
    } catch (const Error& e) {
        CHECK(e.exit_code() == k_exit_failure);
    }
    CHECK(w.state().watermark == 10);
    CHECK(w.scan_once().blocks == 4);
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 14), show(w.balances()));
}

TEST_CASE("engine: a backfill above a reorged block unwinds it, then writes its own range") {
    World w;
    add_branch(w.chain, 0, 10, 0, 0);
    w.scan_once();
    add_branch(w.chain, 9, 12, 1, 0);  // forks after block 8
    const pipeline::RunReport r = w.engine().backfill(11, 12);
    CHECK(r.reorgs == 1);
    // Its range is stored apart from the watermark (blocks 9..10 are the scan's to fill).
    CHECK(w.state().watermark == 8);
    CHECK(w.db.sql->count("SELECT count(*) FROM blocks WHERE number >= 11") == 2);
    check_sound(w);
    w.scan_once();
    CHECK(w.state().watermark == 12);
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 12), show(w.balances()));
    check_sound(w);
}

TEST_CASE("engine: a fetched range holding more than a batch is cut at block boundaries") {
    // 80,000 events in each of blocks 1 and 2, fetched as one range: the batch cap (60,000
    // events) cuts it after block 0, then after block 1 (a block is never cut).
    World w;
    w.chain.set_span(3);
    w.chain.add(0, block_hash(0), Hash32{}, {FakeTransfer{1, 0, 1, 1000000000}});
    for (uint64_t n = 1; n <= 2; ++n)
        w.chain.add(n, block_hash(n), block_hash(n - 1),
                    std::vector<FakeTransfer>(40000, FakeTransfer{1, 1, 2, 1}));
    const pipeline::RunReport r = w.scan_once();
    CHECK(r.blocks == 3);
    CHECK(r.batches == 3);
    CHECK(r.events_inserted == 160001);
    CHECK(w.state().watermark == 2);
    CHECK_MESSAGE(w.balances() == w.chain.balances(0, 2), show(w.balances()));
    check_sound(w);
}
