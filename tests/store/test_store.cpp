// Connection, chain registration and the block-hash lookups (src/core/store/store.cpp).
#include <doctest/doctest.h>

#include <string>

#include "core/model/errors.hpp"
#include "store_test_support.hpp"

using namespace chainidx;
using namespace chainidx::test;

TEST_CASE("register_chain_refuses_a_different_chain_id_or_family_for_an_existing_name") {
    TestDb db;
    store::Store& s = *db.store;
    CHECK_NOTHROW(s.register_chain(k_chain, "evm", k_chain_id));  // the same again: fine
    CHECK_THROWS_WITH_AS(s.register_chain(k_chain, "evm", 1), doctest::Contains(k_chain),
                         UsageError);
    CHECK_THROWS_WITH_AS(s.register_chain(k_chain, "evm", 1), doctest::Contains("31337"),
                         UsageError);
    CHECK_THROWS_AS(s.register_chain(k_chain, "bitcoin", k_chain_id), UsageError);
    // The stored chain is unchanged, and another name may use another id.
    CHECK(db.sql->count("SELECT chain_id FROM chains WHERE name = 'testchain'") == 31337);
    CHECK_NOTHROW(s.register_chain("otherchain", "evm", 1));
    CHECK(db.sql->count("SELECT count(*) FROM chains") == 2);
}

TEST_CASE("store_connection_error_hides_the_password") {
    try {
        store::Store s("postgres://someone:VERYSECRET@127.0.0.1:1/nodb?connect_timeout=2");
        FAIL("connected to a closed port");
    } catch (const Error& e) {
        std::string what = e.what();
        CHECK(what.find("VERYSECRET") == std::string::npos);
        CHECK(what.find("127.0.0.1") != std::string::npos);
    }
}

TEST_CASE("chain_state_and_block_hash_follow_ingest") {
    TestDb db;
    store::Store& s = *db.store;
    CHECK_FALSE(s.chain_state(k_chain).watermark.has_value());
    CHECK_FALSE(s.block_hash(k_chain, 3).has_value());
    s.ingest(make_batch(1, 4));
    auto st = s.chain_state(k_chain);
    REQUIRE(st.watermark.has_value());
    CHECK(*st.watermark == 4);
    CHECK(st.watermark_hash == block_hash(4));
    CHECK(s.block_hash(k_chain, 3) == block_hash(3));
    CHECK_FALSE(s.block_hash(k_chain, 5).has_value());
    CHECK_FALSE(s.block_hash("otherchain", 3).has_value());
}
