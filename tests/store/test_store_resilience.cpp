// What keeps the store right when things go wrong around it: a connection that PostgreSQL drops
// mid-run (restart, failover), two writers of overlapping ranges, and Bitcoin's UTXO table
// following batches and unwinds.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "core/model/errors.hpp"
#include "store_test_support.hpp"

using namespace chainidx;
using namespace chainidx::test;

namespace {

store::Batch transfers(uint64_t from, uint64_t to) {
    store::Batch b = make_batch(from, to);
    if (from > 1) b.blocks.front().parent_hash = block_hash(from - 1);
    for (uint64_t n = from; n <= to; ++n) {
        add_transfer(b, n, 1, 0, 1, 100);
        add_transfer(b, n, 1, 1, 2, 40);
    }
    return b;
}

Key txid(uint8_t n) {
    Hash32 h{};
    h[0] = 0xb7;
    h[31] = n;
    return Key(h);
}

Utxo output(uint8_t tx, uint32_t vout, const char* account, int64_t value, uint64_t block) {
    return Utxo{OutPoint{txid(tx), vout}, Key::from_text(account), value, block};
}

}  // namespace

TEST_CASE("a_batch_is_written_after_postgresql_drops_the_connection") {
    TestDb db(false);
    store::Store s(db.url, "chainidx-test-victim");
    s.register_chain(k_chain, "evm", k_chain_id);
    s.ingest(transfers(1, 3));
    // What a restart or a failover does to the session: the server ends it.
    CHECK(db.sql->count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = 'chainidx-test-victim'") == 1);
    auto r = s.ingest(transfers(4, 6));  // reconnects, then writes the batch once
    CHECK(r.events_inserted == 9);
    CHECK(s.chain_state(k_chain).watermark == 6);
    CHECK(balance_map(s)[pair_key(1, 1)] == "360");  // 6 * (100 - 40)
    CHECK(balance_map(s)[pair_key(1, 2)] == "240");
    CHECK(s.verify_balances(k_chain).empty());
}

TEST_CASE("two_writers_of_overlapping_ranges_count_every_event_once") {
    TestDb db;
    store::Store other(db.url, "chainidx-test-second");
    store::Batch a = transfers(1, 40);
    store::Batch b = transfers(1, 40);
    std::thread t([&] { other.ingest(b); });
    db.store->ingest(a);
    t.join();
    CHECK(db.sql->count("SELECT count(*) FROM balance_events") == 120);
    CHECK(balance_map(*db.store)[pair_key(1, 1)] == "2400");
    CHECK(db.store->verify_balances(k_chain).empty());
}

TEST_CASE("utxos_are_created_spent_found_summed_and_restored_by_an_unwind") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b1 = make_batch(1, 2);
    b1.created = {output(1, 0, "1Alice", 5000, 1), output(1, 1, "1Bob", 700, 1),
                  output(2, 0, "script:ab", 42, 2)};
    s.ingest(b1);
    store::Batch b2 = make_batch(3, 4);
    b2.blocks.front().parent_hash = block_hash(2);
    b2.spent = {Spend{OutPoint{txid(1), 0}, 3, std::nullopt}};
    b2.created = {output(3, 0, "1Bob", 4990, 3)};
    s.ingest(b2);

    auto found =
        s.find_utxos(k_chain, {OutPoint{txid(1), 0}, OutPoint{txid(9), 0}, OutPoint{txid(2), 0}});
    REQUIRE(found.size() == 3);
    REQUIRE(found[0]);
    CHECK(found[0]->account == Key::from_text("1Alice"));
    CHECK(found[0]->value == 5000);
    CHECK(!found[1]);
    CHECK(found[2]->account.text() == "script:ab");

    auto sums = [&](uint64_t block) {
        std::map<std::string, std::string> out;
        auto table =
            s.unspent_sums_at(k_chain, block, {Key::from_text("1Alice"), Key::from_text("1Bob")});
        REQUIRE(table);
        for (auto& [k, v] : *table) out[std::string(k.text())] = v.to_decimal();
        return out;
    };
    CHECK(sums(2) == std::map<std::string, std::string>{{"1Alice", "5000"}, {"1Bob", "700"}});
    CHECK(sums(4) == std::map<std::string, std::string>{{"1Alice", "0"}, {"1Bob", "5690"}});

    // An unwind below block 3 takes its outputs away and makes the spent one unspent again.
    store::UnwindRequest req;
    req.chain = k_chain;
    req.to_block = 2;
    s.unwind(req);
    CHECK(sums(4) == std::map<std::string, std::string>{{"1Alice", "5000"}, {"1Bob", "700"}});
    CHECK(db.sql->count("SELECT count(*) FROM utxos WHERE spent_block IS NOT NULL") == 0);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 3);
}

TEST_CASE("a_duplicate_txid_keeps_its_first_outputs") {
    // BIP30: two coinbases with one txid; the chain's UTXO set holds one of them.
    TestDb db;
    store::Batch b = make_batch(1, 2);
    b.created = {output(7, 0, "1Miner", 5000000000, 1), output(7, 0, "1Miner", 5000000000, 2)};
    db.store->ingest(b);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 1);
    CHECK(db.sql->count("SELECT created_block FROM utxos") == 1);
}

TEST_CASE("outputs_spent_in_final_blocks_leave_the_utxo_table_and_it_answers_above_them_only") {
    TestDb db;
    store::Store& s = *db.store;
    store::Batch b1 = make_batch(1, 2);
    b1.created = {output(1, 0, "1Alice", 5000, 1), output(1, 1, "1Bob", 700, 1)};
    s.ingest(b1);
    CHECK(s.utxo_spent_pruned_to(k_chain) == -1);

    // Blocks 3..4, final up to 3: a spend in block 3 deletes its output; an output created and
    // spent in block 3 is never stored; one spent in block 4 (not final) is stored as spent.
    store::Batch b2 = make_batch(3, 4);
    b2.blocks.front().parent_hash = block_hash(2);
    b2.safe_block = b2.finalized_block = 3;
    b2.created = {output(3, 0, "1Bob", 4990, 3), output(3, 1, "1Carol", 10, 3),
                  output(3, 2, "1Dave", 20, 3)};
    b2.spent = {Spend{OutPoint{txid(1), 0}, 3, std::nullopt},
                Spend{OutPoint{txid(3), 2}, 3, std::nullopt},
                Spend{OutPoint{txid(3), 1}, 4, std::nullopt}};
    s.ingest(b2);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 3);  // 1:1, 3:0, 3:1
    CHECK(db.sql->count("SELECT count(*) FROM utxos WHERE vout = 0 AND created_block = 1") == 0);
    CHECK(db.sql->count("SELECT spent_block FROM utxos WHERE spent_block IS NOT NULL") == 4);
    CHECK(s.utxo_spent_pruned_to(k_chain) == 3);

    const std::vector<Key> who{Key::from_text("1Alice"), Key::from_text("1Bob"),
                               Key::from_text("1Carol")};
    CHECK_FALSE(s.unspent_sums_at(k_chain, 2, who));  // 1Alice's output is gone: unknown there
    auto at4 = s.unspent_sums_at(k_chain, 4, who);
    REQUIRE(at4);
    std::map<std::string, std::string> got;
    for (auto& [k, v] : *at4) got[std::string(k.text())] = v.to_decimal();
    CHECK(got ==
          std::map<std::string, std::string>{{"1Alice", "0"}, {"1Bob", "5690"}, {"1Carol", "0"}});

    // Block 4 becomes final: the output it spent leaves the table too.
    s.promote_finality(k_chain, 4, 4);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 2);
    CHECK(db.sql->count("SELECT count(*) FROM utxos WHERE spent_block IS NOT NULL") == 0);
    CHECK(s.utxo_spent_pruned_to(k_chain) == 4);

    // A forced rollback below it cannot bring the deleted outputs back; the table says it
    // cannot answer there rather than answering wrong.
    store::UnwindRequest req;
    req.chain = k_chain;
    req.to_block = 2;
    req.allow_below_finalized = true;
    s.unwind(req);
    CHECK_FALSE(s.unspent_sums_at(k_chain, 2, who));
}

TEST_CASE("an_output_created_and_spent_in_one_final_batch_is_never_stored_and_is_noted") {
    TestDb db;
    store::Batch b = make_batch(1, 2);
    b.safe_block = b.finalized_block = 2;
    b.created = {output(5, 0, "1Erin", 900, 1)};
    b.spent = {Spend{OutPoint{txid(5), 0}, 2, std::nullopt}};
    db.store->ingest(b);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 0);
    CHECK(db.store->utxo_spent_pruned_to(k_chain) == 2);
    // At block 1 1Erin held 900, which the table cannot know: it does not answer there.
    CHECK_FALSE(db.store->unspent_sums_at(k_chain, 1, {Key::from_text("1Erin")}));
}

TEST_CASE("a_batch_spending_stored_outputs_probes_them_by_key") {
    // The spends' statements must not read every row of the chain. On its own, PostgreSQL 15
    // plans 2,000 spends against 100,000 stored outputs as a hash join over a sequential scan.
    TestDb db;
    store::Store& s = *db.store;
    db.sql->exec(
        "INSERT INTO utxos SELECT 'testchain', decode(lpad(to_hex(i), 64, '0'), 'hex'), 0, "
        "'\\x31', 1, 1, NULL FROM generate_series(1, 100000) i");
    db.sql->exec("ANALYZE utxos");
    store::Batch b = make_batch(1, 2);
    b.safe_block = b.finalized_block = 2;
    for (uint32_t i = 1; i <= 2000; ++i) {
        Hash32 h{};
        h[30] = static_cast<uint8_t>(i >> 8);
        h[31] = static_cast<uint8_t>(i);
        b.spent.push_back(Spend{OutPoint{Key(h), 0}, 2, std::nullopt});
    }
    auto seq_scans = [&] {
        return db.sql->count(
            "SELECT coalesce(seq_scan, 0) FROM pg_stat_user_tables WHERE relname = 'utxos'");
    };
    const int64_t before = seq_scans();
    s.ingest(b);
    // A backend reports its table statistics at the end of a transaction a second after its
    // last report.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    s.chain_state(k_chain);
    CHECK(seq_scans() == before);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 100000 - 2000);
}
