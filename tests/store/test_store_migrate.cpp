// Migrations (src/core/store/store_migrate.cpp) on a real PostgreSQL.
#include <doctest/doctest.h>

#include <string>

#include "core/model/errors.hpp"
#include "store_test_support.hpp"

using namespace chainidx;
using namespace chainidx::test;

namespace {

std::string label(const store::MigrationState& m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d", m.version);
    return std::string(buf) + "_" + m.name;
}

int64_t table_count(Sql& sql) {
    return sql.count(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        " AND table_name <> 'schema_migrations'");
}

}  // namespace

TEST_CASE("migrations_go_up_down_and_up_again_and_report_status") {
    TestDb db(false);
    store::Store& s = *db.store;

    auto all = s.migration_status();
    REQUIRE(all.size() >= 2);
    for (const auto& m : all) {
        CAPTURE(label(m));
        CHECK(m.applied);
        CHECK_FALSE(m.modified);
        CHECK_FALSE(m.applied_at.empty());
    }
    CHECK_NOTHROW(s.require_current_schema());
    CHECK(s.migrate_up().empty());  // nothing left to do
    const int64_t tables = table_count(*db.sql);
    CHECK(tables >= 7);

    // Down one: the newest is pending, the others stay applied.
    auto reverted = s.migrate_down(1);
    REQUIRE(reverted.size() == 1);
    CHECK(reverted[0].version == all.back().version);
    auto st = s.migration_status();
    CHECK_FALSE(st.back().applied);
    CHECK(st.front().applied);
    CHECK_THROWS_WITH_AS(s.require_current_schema(), doctest::Contains(label(all.back()).c_str()),
                         UsageError);

    // Down all: every migration pending, no table of chainidx left.
    auto rest = s.migrate_down(1000);
    CHECK(rest.size() == all.size() - 1);
    for (const auto& m : s.migration_status()) CHECK_FALSE(m.applied);
    CHECK(table_count(*db.sql) == 0);
    CHECK_THROWS_AS(s.require_current_schema(), UsageError);
    CHECK(s.migrate_down(1000).empty());

    // Up again: the same schema as before, usable.
    auto applied = s.migrate_up();
    CHECK(applied.size() == all.size());
    for (const auto& m : s.migration_status()) CHECK(m.applied);
    CHECK(table_count(*db.sql) == tables);
    CHECK_NOTHROW(s.require_current_schema());
    CHECK_NOTHROW(s.register_chain(k_chain, "evm", k_chain_id));
}

TEST_CASE("migration_with_changed_checksum_is_refused_by_name") {
    TestDb db(false);
    store::Store& s = *db.store;
    const auto first = s.migration_status().front();
    const std::string original = db.sql->text(
        "SELECT checksum FROM schema_migrations WHERE version = " + std::to_string(first.version));
    // Put the checksum back whatever happens, so the next case can migrate down.
    struct Restore {
        Sql& sql;
        std::string sql_text;
        ~Restore() {
            try {
                sql.exec(sql_text);
            } catch (...) {
            }
        }
    } restore{*db.sql, "UPDATE schema_migrations SET checksum = '" + original +
                           "' WHERE version = " + std::to_string(first.version)};
    db.sql->exec("UPDATE schema_migrations SET checksum = 'x' WHERE version = " +
                 std::to_string(first.version));

    auto st = s.migration_status();
    CHECK(st.front().modified);
    CHECK(st.front().applied);
    for (size_t i = 1; i < st.size(); ++i) CHECK_FALSE(st[i].modified);

    CHECK_THROWS_WITH_AS(s.migrate_up(), doctest::Contains(label(first).c_str()), UsageError);
    CHECK_THROWS_WITH_AS(s.require_current_schema(), doctest::Contains(label(first).c_str()),
                         UsageError);
    CHECK_THROWS_WITH_AS(s.migrate_down(1), doctest::Contains(label(first).c_str()), UsageError);
    // Refused means untouched: everything still applied.
    for (const auto& m : s.migration_status()) CHECK(m.applied);
}

TEST_CASE("migration_newer_than_the_binary_is_refused") {
    TestDb db(false);
    store::Store& s = *db.store;
    db.sql->exec(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'from_the_future', "
        "'abc')");
    CHECK_THROWS_WITH_AS(s.migrate_up(), doctest::Contains("from_the_future"), UsageError);
    CHECK_THROWS_WITH_AS(s.require_current_schema(), doctest::Contains("9999"), UsageError);
    db.sql->exec("DELETE FROM schema_migrations WHERE version = 9999");
    CHECK_NOTHROW(s.require_current_schema());
}

// A database another application uses (issue 10 #14): its tables are never touched, a failed
// migrate leaves nothing behind, and a schema of chainidx's own (options=-csearch_path=…) works
// next to them.
TEST_CASE("migrate_in_another_applications_database_is_refused_cleanly_or_kept_apart") {
    TestDb db(false);
    db.store->migrate_down(1000);
    db.sql->exec("DROP TABLE schema_migrations");
    struct Cleanup {
        Sql& sql;
        ~Cleanup() {
            sql.exec(
                "DROP TABLE IF EXISTS schema_migrations, blocks; DROP SCHEMA IF EXISTS indexer "
                "CASCADE");
        }
    } cleanup{*db.sql};

    SUBCASE("golang-migrate's schema_migrations") {
        db.sql->exec("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean)");
        db.sql->exec("INSERT INTO schema_migrations VALUES (3, false)");
        store::Store s(db.url, "chainidx_store_tests");
        CHECK_THROWS_WITH_AS(s.migrate_up(), doctest::Contains("is not chainidx's"), UsageError);
        CHECK_THROWS_WITH_AS(s.migration_status(), doctest::Contains("version, dirty"), UsageError);
        CHECK(db.sql->count("SELECT count(*) FROM schema_migrations") == 1);
    }
    SUBCASE("a table of the same name, no schema_migrations") {
        db.sql->exec("CREATE TABLE blocks (id int)");
        store::Store s(db.url, "chainidx_store_tests");
        CHECK_THROWS_WITH_AS(s.migrate_up(), doctest::Contains("CREATE SCHEMA chainidx"),
                             UsageError);
        CHECK(db.sql->text("SELECT to_regclass('schema_migrations')::text") == "NULL");
        CHECK(db.sql->count("SELECT count(*) FROM information_schema.columns WHERE "
                            "table_schema = 'public' AND table_name = 'blocks'") == 1);

        // Its own schema, named in the URL: chainidx's tables live there, the others untouched.
        db.sql->exec("CREATE SCHEMA indexer");
        const std::string url = db.url + (db.url.find('?') == std::string::npos ? "?" : "&") +
                                "options=-csearch_path%3Dindexer";
        store::Store apart(url, "chainidx_store_tests");
        CHECK_FALSE(apart.migrate_up().empty());
        CHECK_NOTHROW(apart.require_current_schema());
        CHECK(db.sql->count("SELECT count(*) FROM information_schema.tables WHERE "
                            "table_schema = 'indexer' AND table_name = 'balance_events'") == 1);
        CHECK(db.sql->count("SELECT count(*) FROM information_schema.columns WHERE "
                            "table_schema = 'public' AND table_name = 'blocks'") == 1);
        CHECK(apart.migrate_up().empty());
    }
}

TEST_CASE("version_4_deletes_outputs_spent_in_final_blocks_of_a_version_3_database") {
    TestDb db(false);
    store::Store& s = *db.store;
    REQUIRE(s.migrate_down(1).size() == 1);  // a database of version 3, filled by it
    db.sql->exec("INSERT INTO chains (name, family, chain_id) VALUES ('btc', 'bitcoin', 0)");
    db.sql->exec(
        "INSERT INTO watermarks (chain, block_number, block_hash, safe_block, finalized_block) "
        "VALUES ('btc', 10, '\\x00', 5, 5)");
    db.sql->exec(
        "INSERT INTO utxos VALUES ('btc', '\\x01', 0, '\\x31', 10, 1, 3), "
        "('btc', '\\x01', 1, '\\x31', 20, 1, 7), ('btc', '\\x02', 0, '\\x32', 30, 2, NULL)");
    REQUIRE(s.migrate_up().size() == 1);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 2);  // the one spent in block 3 is gone
    CHECK(db.sql->count("SELECT count(*) FROM utxos WHERE spent_block = 7") == 1);
    CHECK(s.utxo_spent_pruned_to("btc") == 5);
    CHECK_FALSE(s.unspent_sums_at("btc", 4, {Key::from_text("1")}));
    CHECK(s.unspent_sums_at("btc", 5, {Key::from_text("1")}));
    // And back: version 3 reads the table as it is.
    REQUIRE(s.migrate_down(1).size() == 1);
    CHECK(db.sql->count("SELECT count(*) FROM utxos") == 2);
    REQUIRE(s.migrate_up().size() == 1);
}
