// Config values an operator can trust (src/core/config/config.cpp): a timeout of 0 (libcurl's
// "no timeout") and a rate limit too small to compute with are refused, 0 stays "unlimited",
// and a chain's name is a sane identifier.
#include <doctest/doctest.h>

#include <string>

#include "core/config/config.hpp"
#include "core/model/errors.hpp"

using namespace chainidx;

namespace {

std::optional<std::string> no_env(const std::string&) {
    return std::nullopt;
}

// The UsageError message of parsing `text`, or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        config::parse(text, "limits.toml", no_env);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

std::string chain_section(const std::string& keys) {
    return "[chains.btc]\nfamily = \"bitcoin\"\n" + keys + "\n";
}

}  // namespace

TEST_CASE("config_rpc_timeout_ms_zero_is_refused_it_would_mean_no_timeout") {
    CHECK(error_of(chain_section("rpc_timeout_ms = 0")) ==
          "limits.toml:3: chains.btc.rpc_timeout_ms must be at least 1 (milliseconds per "
          "request)");
    CHECK(error_of(chain_section("rpc_timeout_ms = 1")).empty());
    auto c = config::parse(chain_section("rpc_timeout_ms = 2500"), "limits.toml", no_env);
    CHECK(c.chains.at("btc").rpc_timeout_ms.value == 2500);
}

TEST_CASE("config_rpc_rate_limit_below_the_minimum_is_refused_and_zero_is_unlimited") {
    CHECK(error_of(chain_section("rpc_rate_limit = 1e-308")) ==
          "limits.toml:3: chains.btc.rpc_rate_limit must be 0 (unlimited) or at least 0.001 "
          "requests/s (got 1e-308)");
    CHECK(error_of(chain_section("rpc_rate_limit = 0.0009")).find("at least 0.001") !=
          std::string::npos);
    CHECK(error_of(chain_section("rpc_rate_limit = 0.001")).empty());
    CHECK(error_of(chain_section("rpc_rate_limit = 0")).empty());
    CHECK(error_of(chain_section("rpc_rate_limit = 2.5")).empty());
    CHECK(error_of(chain_section("rpc_rate_limit = inf")).find("finite") != std::string::npos);
}

TEST_CASE("config_chain_names_are_1_to_64_letters_digits_dash_or_underscore") {
    CHECK(config::chain_name_problem("ethereum").empty());
    CHECK(config::chain_name_problem("base-sepolia_2").empty());
    CHECK(config::chain_name_problem(std::string(64, 'a')).empty());
    CHECK(config::chain_name_problem("") ==
          "must be 1 to 64 letters, digits, '-' or '_' (got \"\")");
    CHECK_FALSE(config::chain_name_problem(std::string(65, 'a')).empty());
    for (const char* bad : {"a b", "a.b", "a/b", "ä", "a\nb", "$X"})
        CHECK_MESSAGE(!config::chain_name_problem(bad).empty(), bad);
    CHECK(error_of("[chains.\"\"]\nfamily = \"bitcoin\"\n") ==
          "limits.toml:1: chains.\"\" is not a chain name: must be 1 to 64 letters, digits, '-' "
          "or '_' (got \"\")");
    CHECK(error_of("[chains.\"a b\"]\nfamily = \"bitcoin\"\n").find("is not a chain name") !=
          std::string::npos);
}
