// The SQL of `chainidx grants` (src/core/store/grants.cpp): names it accepts, the privileges each
// role gets, and what it refuses. Its effect on a real PostgreSQL is tests/cli/test_roles.sh.
#include <doctest/doctest.h>

#include <string>

#include "core/model/errors.hpp"
#include "core/store/grants.hpp"

using namespace chainidx;

namespace {

store::GrantsRequest request() {
    store::GrantsRequest r;
    r.schema = "chainidx";
    r.owner = "indexer_owner";
    return r;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("grants_name_problem accepts plain names and refuses what could break the SQL") {
    CHECK(store::grants_name_problem("chainidx_writer").empty());
    CHECK(store::grants_name_problem("Indexer-2").empty());
    CHECK(store::grants_name_problem(std::string(63, 'a')).empty());
    CHECK_FALSE(store::grants_name_problem("").empty());
    CHECK_FALSE(store::grants_name_problem(std::string(64, 'a')).empty());
    for (const char* bad : {"a\"b", "a'b", "a$b", "a b", "a;b", "a.b", "r\xc3\xb6le"})
        CHECK_MESSAGE(!store::grants_name_problem(bad).empty(), bad);
}

TEST_CASE("grants_sql gives the writer row privileges and the reader SELECT, now and later") {
    const std::string sql = store::grants_sql(request());
    CHECK(has(sql, "BEGIN;\n"));
    CHECK(has(sql, "COMMIT;\n"));
    CHECK(has(sql, "CREATE ROLE \"chainidx_writer\" NOLOGIN;"));
    CHECK(has(sql, "CREATE ROLE \"chainidx_reader\" NOLOGIN;"));
    CHECK(has(sql,
              "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"chainidx\" TO "
              "\"chainidx_writer\";"));
    CHECK(has(sql, "GRANT USAGE ON ALL SEQUENCES IN SCHEMA \"chainidx\" TO \"chainidx_writer\";"));
    CHECK(has(sql,
              "REVOKE INSERT, UPDATE, DELETE ON \"chainidx\".\"schema_migrations\" FROM "
              "\"chainidx_writer\";"));
    CHECK(has(sql, "GRANT SELECT ON ALL TABLES IN SCHEMA \"chainidx\" TO \"chainidx_reader\";"));
    CHECK(has(sql,
              "ALTER DEFAULT PRIVILEGES FOR ROLE \"indexer_owner\" IN SCHEMA \"chainidx\"\n"
              "    GRANT SELECT ON TABLES TO \"chainidx_reader\";"));
    CHECK(has(sql, "GRANT CONNECT, TEMPORARY ON DATABASE %I TO \"chainidx_writer\""));
    // Never more than the rows: no TRUNCATE, TRIGGER, REFERENCES or ALL for either group.
    for (const char* never : {"TRUNCATE", "TRIGGER", "REFERENCES", "GRANT ALL"})
        CHECK_MESSAGE(!has(sql, never), never);
}

TEST_CASE("grants_sql refuses bad names and roles that would overlap") {
    auto r = request();
    r.writer = "x\"; DROP TABLE balances; --";
    CHECK_THROWS_AS(store::grants_sql(r), UsageError);
    r = request();
    r.reader = r.writer;
    CHECK_THROWS_AS(store::grants_sql(r), UsageError);
    r = request();
    r.reader = r.owner;
    CHECK_THROWS_AS(store::grants_sql(r), UsageError);
    r = request();
    r.schema = "";
    CHECK_THROWS_AS(store::grants_sql(r), UsageError);
}
