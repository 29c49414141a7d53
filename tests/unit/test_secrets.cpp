// Secrets never printed (src/core/model/secrets.hpp and the checks that feed it): the registry,
// the database connection string checked by libpq, RPC and webhook URLs checked by libcurl, and
// the redaction of what config show and the logs print.
#include <doctest/doctest.h>

#include <string>

#include "core/alert/webhook.hpp"
#include "core/config/config.hpp"
#include "core/model/errors.hpp"
#include "core/model/secrets.hpp"
#include "core/rpc/http_client.hpp"
#include "core/rpc/url.hpp"
#include "core/store/database_url.hpp"

using namespace chainidx;

namespace {

bool shows(const std::string& text, const std::string& secret) {
    return text.find(secret) != std::string::npos;
}

config::Config with_database_url(const std::string& url, const std::string& origin) {
    config::Config c;
    c.database_url = {url, origin};
    return c;
}

}  // namespace

TEST_CASE("secrets_scrub_replaces_every_occurrence_of_every_remembered_secret") {
    secrets::forget_all();
    secrets::remember("K3yAlpha");
    secrets::remember("hunter");  // a common word is a password all the same
    secrets::remember("pw");      // too short: it would eat every "pw" of every message
    secrets::remember("");
    CHECK(secrets::scrub("a K3yAlpha b K3yAlphaK3yAlpha c") == "a *** b ****** c");
    CHECK(secrets::scrub("password hunter rejected") == "password *** rejected");
    CHECK(secrets::scrub("pw ok") == "pw ok");
    // Longest first: the whole URL goes, not just the key inside it.
    secrets::remember("https://h/v2/K3yAlpha");
    CHECK(secrets::scrub("GET https://h/v2/K3yAlpha failed") == "GET *** failed");
    secrets::forget_all();
    CHECK(secrets::scrub("K3yAlpha") == "K3yAlpha");
}

// Regression test (issue 10 item 2): a DSN that is not a lowercase postgres:// URI went to libpq,
// whose "missing \"=\" after \"POSTGRESQL://app:S3cretPw@…\"" repeated all of it in errors, logs
// and alerts. Such strings are refused, naming where they came from and never the value.
TEST_CASE("check_database_url_refuses_malformed_strings_without_repeating_them") {
    secrets::forget_all();
    for (const char* url :
         {"POSTGRESQL://app:S3cretPw@127.0.0.1:1/idx", "postgresq://app:S3cretPw@127.0.0.1:1/idx",
          "jdbc:postgresql://app:S3cretPw@127.0.0.1/idx", "postgresql:/app:S3cretPw@127.0.0.1/idx",
          "app:S3cretPw", "host=x S3cretPw", "host=x fancy=S3cretPw",
          "postgres://h/db?fancy=S3cretPw",
          // An unencoded '@' in the password: libpq would take the rest for the host name.
          "postgresql://app:S3cr@tPwAt9@127.0.0.1/idx"}) {
        CAPTURE(url);
        auto problem = store::check_database_url(url);
        REQUIRE(problem);
        CHECK_FALSE(shows(*problem, "S3cr"));
        CHECK_FALSE(shows(*problem, "tPwAt9"));
        // Whatever quotes it later gets it scrubbed.
        CHECK(secrets::scrub(std::string("libpq: \"") + url + "\"") == "libpq: \"***\"");
    }
    CHECK(shows(*store::check_database_url("postgresql://app:S3cr@tPwAt9@127.0.0.1/idx"), "%40"));

    auto flag = with_database_url("POSTGRESQL://app:S3cretPw@h/idx", "flag --db");
    store::check_database_url(flag);
    CHECK(flag.database_url_unresolved.rfind("flag --db: ", 0) == 0);
    CHECK_THROWS_WITH_AS(flag.require_database_url(), doctest::Contains("flag --db"), UsageError);
    auto env = with_database_url("jdbc:postgresql://h/idx", "env CHAINIDX_DATABASE_URL");
    store::check_database_url(env);
    CHECK(env.database_url_unresolved.rfind("env CHAINIDX_DATABASE_URL: ", 0) == 0);
    auto file = with_database_url("postgresql:/app:S3cretPw@h/idx", "file c.toml:2");
    store::check_database_url(file);
    CHECK(file.database_url_unresolved.rfind("c.toml:2: database.url ", 0) == 0);
    for (const auto* c : {&flag, &env, &file}) {
        CHECK_FALSE(shows(c->database_url_unresolved, "S3cretPw"));
        CHECK_FALSE(shows(config::describe(*c), "S3cretPw"));
    }
    secrets::forget_all();
}

TEST_CASE("check_database_url_accepts_libpq_forms_and_remembers_their_passwords") {
    secrets::forget_all();
    for (const char* url : {"postgres://app:Pa55Uri@127.0.0.1:5432/idx", "postgresql://app@h/idx",
                            "postgresql://app:p%40ssEnc@h1,h2:5433/idx?sslmode=require",
                            "postgres://u@h/db?password=Qpass9&sslmode=require",
                            "host=db.internal dbname=idx password='two words'", "dbname=idx"}) {
        CAPTURE(url);
        CHECK_FALSE(store::check_database_url(url));
    }
    // libpq's own reading of the password (percent-decoded, unquoted) is remembered too.
    CHECK(secrets::scrub("Pa55Uri p@ssEnc p%40ssEnc Qpass9 two words") == "*** *** *** *** ***");
    CHECK(secrets::scrub("password authentication failed for user \"app\"") ==
          "password authentication failed for user \"app\"");
    secrets::forget_all();
}

// Regression test (issue 10 item 5): any scheme libcurl speaks was accepted, and
// --rpc file:///etc/hostname printed the file; '' and 'not a url' were retried for 46 s.
TEST_CASE("check_http_url_allows_only_http_and_https") {
    secrets::forget_all();
    for (const char* url :
         {"", "not a url", "ftp://h/K3yFtp1", "file:///etc/hostname", "gopher://h/K3yFtp1",
          "h:8545", "http://", "https://u:p@ss@h/K3yFtp1"}) {
        CAPTURE(url);
        auto problem = rpc::check_http_url(url);
        REQUIRE(problem);
        CHECK_FALSE(shows(*problem, "K3yFtp1"));
        CHECK_FALSE(shows(*problem, "hostname"));
        CHECK_THROWS_WITH_AS(rpc::require_http_url(url, "flag --alert-webhook"),
                             doctest::Contains("flag --alert-webhook: the URL"), UsageError);
    }
    for (const char* url : {"http://127.0.0.1:8545", "https://eth.example/v2/K3yGood1",
                            "HTTPS://eth.example/rpc?apikey=K3yGood2", "http://[::1]:8545/"}) {
        CAPTURE(url);
        CHECK_FALSE(rpc::check_http_url(url));
    }
    // libcurl itself is told the same (CURLOPT_PROTOCOLS_STR), and the client refuses first.
    CHECK_THROWS_AS(rpc::HttpClient("file:///etc/hostname", 1000, 1 << 20), RpcError);
    secrets::forget_all();
}

TEST_CASE("check_http_url_remembers_credentials_path_and_query") {
    secrets::forget_all();
    CHECK_FALSE(rpc::check_http_url(
        "https://us3r:Pa55%40word@eth.example:8545/v2/K3yPath1?apikey=K3yQuery1&chain=mainnet"));
    const std::string shown = secrets::scrub(
        "us3r Pa55%40word Pa55@word K3yPath1 K3yQuery1 /v2/K3yPath1?apikey=K3yQuery1 "
        "eth.example chain mainnet");
    CAPTURE(shown);
    for (const char* secret : {"us3r", "Pa55", "K3yPath1", "K3yQuery1"})
        CHECK_FALSE(shows(shown, secret));
    // The host and plain words stay: they say where things went wrong.
    CHECK(shows(shown, "eth.example chain mainnet"));
    secrets::forget_all();
}

TEST_CASE("connection_strings_without_secrets_stay_readable_in_messages") {
    secrets::forget_all();
    CHECK_FALSE(rpc::check_http_url("http://127.0.0.1:8545"));
    CHECK_FALSE(rpc::check_http_url("https://node.example/"));
    CHECK_FALSE(store::check_database_url("host=localhost dbname=idx"));
    CHECK_FALSE(store::check_database_url("postgres://app@127.0.0.1/idx"));
    const std::string text =
        "via http://127.0.0.1:8545 and https://node.example/; database host=localhost dbname=idx "
        "or postgres://app@127.0.0.1/idx";
    CHECK(secrets::scrub(text) == text);
    secrets::forget_all();
}

TEST_CASE("check_endpoint_urls_names_the_origin_and_the_chain") {
    secrets::forget_all();
    config::Config c;
    c.chains["eth"].rpc = {{"https://good.example/v2/K3y1", "file:///etc/hostname"}, "flag --rpc"};
    c.chains["base"].rpc = {{"not a url"}, "env CHAINIDX_BASE_RPC"};
    c.chains["poly"].rpc = {{"ftp://h/K3y2"}, "file c.toml:7"};
    c.chains["ok"].rpc = {{"http://127.0.0.1:8545"}, "default"};
    rpc::check_endpoint_urls(c);
    CHECK(c.chains["eth"].rpc_unresolved.rfind("flag --rpc (chain eth): endpoint 2 of 2 ", 0) == 0);
    CHECK(c.chains["base"].rpc_unresolved.rfind("env CHAINIDX_BASE_RPC (chain base): ", 0) == 0);
    CHECK(c.chains["poly"].rpc_unresolved.rfind("c.toml:7: chains.poly.rpc: ", 0) == 0);
    CHECK(c.chains["ok"].rpc_unresolved.empty());
    CHECK(c.chains["eth"].rpc.value.empty());  // nothing can use a chain's endpoints any more
    CHECK_THROWS_WITH_AS(c.chain("eth"), doctest::Contains("chain eth"), UsageError);
    for (const auto& [name, chain] : c.chains) {
        CHECK_FALSE(shows(chain.rpc_unresolved, "K3y"));
        CHECK_FALSE(shows(chain.rpc_unresolved, "hostname"));
    }
    CHECK_FALSE(shows(config::describe(c), "K3y"));
    secrets::forget_all();
}

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

// Regression test (issue 10 item 2): the alert for a failed run carried the error text, and with
// it whatever libpq or a node had repeated of a password or key.
TEST_CASE("alert_payload_is_scrubbed_of_every_remembered_secret") {
    secrets::forget_all();
    CHECK_FALSE(store::check_database_url("postgres://app:AlertPw42@db.internal/idx"));
    secrets::remember("AlertKey77");
    alert::Alert a{
        "failure",
        "ethereum",
        "scan",
        "chainidx scan failed (exit 1): libpq said \"AlertPw42\"",
        {{"error", "node: invalid key AlertKey77"}, {"nested", {{"list", {"AlertPw42", 3}}}}}};
    const std::string body = alert::payload(a).dump();
    CAPTURE(body);
    CHECK_FALSE(shows(body, "AlertPw42"));
    CHECK_FALSE(shows(body, "AlertKey77"));
    CHECK(shows(body, "invalid key ***"));
    CHECK(shows(body, "\"kind\":\"failure\""));
    secrets::forget_all();
}
