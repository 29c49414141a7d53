// Secrets never printed (src/core/model/secrets.hpp and the checks that feed it): the registry,
// the database connection string checked by libpq, RPC and webhook URLs checked by libcurl, and
// the redaction of what config show and the logs print.
#include <doctest/doctest.h>

#include <string>

#include "core/config/config.hpp"

using namespace chainidx;

// Regression test (issue 10 item 7): the user info ended at the first '@', so
// "app:S3cr@tPwAt9@…" showed "@tPwAt9"; with a user name, "?password=Q" showed in full.
TEST_CASE("redaction_hides_passwords_with_at_signs_and_query_passwords") {
    CHECK(config::redact_database_url("postgresql://app:S3cr@tPwAt9@127.0.0.1/idx") ==
          "postgresql://app:***@127.0.0.1/idx");
    CHECK(config::redact_database_url("postgres://app:Pw1@h/db?sslmode=require&password=Qpw2") ==
          "postgres://app:***@h/db?sslmode=require&password=***");
    CHECK(config::redact_database_url("postgres://u@h/db?password=Qpw2&sslpassword=Kpw3") ==
          "postgres://u@h/db?password=***&sslpassword=***");
    CHECK(config::redact_database_url("postgres://app:pa/ss?w@h/db") == "postgres://app:***@h/db");
    CHECK(config::redact_database_url("app:S3cretPw") == "***");  // not a connection string
    CHECK(config::redact_rpc_url("https://u:p@ss@host/v2/K3y") == "https://host/***");
    CHECK(config::redact_rpc_url("https://u:pa/ss@host/v2/K3y") == "https://***");
    CHECK(config::redact_rpc_url("https://host:8545?apikey=K3y&x=1") == "https://host:8545/***");
    CHECK(config::redact_rpc_url("https://[::1]:8545/K3y") == "https://[::1]:8545/***");
}
