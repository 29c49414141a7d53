// What keeps the store right when things go wrong around it: a connection that PostgreSQL drops
// mid-run (restart, failover), two writers of overlapping ranges, and Bitcoin's UTXO table
// following batches and unwinds.
#include <doctest/doctest.h>

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
        for (auto& [k, v] :
             s.unspent_sums_at(k_chain, block, {Key::from_text("1Alice"), Key::from_text("1Bob")}))
            out[std::string(k.text())] = v.to_decimal();
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
