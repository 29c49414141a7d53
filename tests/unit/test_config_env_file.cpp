// NAME_FILE variants of the variables chainidx reads (src/core/config/env_file.cpp): the value
// comes from the file (systemd's LoadCredential=), a missing, unreadable or empty file is an
// error naming the variable and the path, and the file's contents never appear in an error.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "core/config/config.hpp"
#include "core/config/env_file.hpp"
#include "core/model/errors.hpp"

using namespace chainidx;
using config::Config;
using config::Overrides;

namespace {

std::map<std::string, std::string>& env() {
    static std::map<std::string, std::string> e;
    return e;
}
std::optional<std::string> fake_getenv(const std::string& name) {
    auto it = env().find(name);
    if (it == env().end()) return std::nullopt;
    return it->second;
}

// A directory of this test's files, removed at the end of the test case.
struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("chainidx-env-file-" + std::to_string(::getpid()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return (path / name).string();
    }
};

const std::string k_dsn = "postgres://idx:file-secret-pw@db.internal/idx";

// The UsageError message of `f`; fails the test when it does not throw one.
template <class F>
std::string usage_error(F f) {
    try {
        f();
    } catch (const UsageError& e) {
        return e.what();
    }
    FAIL("expected a UsageError");
    return "";
}

}  // namespace

TEST_CASE("database_url_file_is_read_without_its_trailing_newline_and_named_as_origin") {
    TempDir dir;
    const std::string path = dir.write("database-url", k_dsn + "\n");
    env() = {{"CHAINIDX_DATABASE_URL_FILE", path}};
    Config c;
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(c.require_database_url() == k_dsn);
    CHECK(c.database_url.origin == "env CHAINIDX_DATABASE_URL_FILE=" + path);

    // --db still wins over it.
    Overrides flags;
    flags.database_url = "postgres://flag@h/db";
    c = Config{};
    config::apply_env_and_flags(c, flags, fake_getenv);
    CHECK(c.require_database_url() == "postgres://flag@h/db");
}

TEST_CASE("a_missing_or_empty_value_file_is_an_error_naming_variable_and_path_once_used") {
    TempDir dir;
    env() = {{"CHAINIDX_DATABASE_URL_FILE", (dir.path / "nope").string()}};
    Config c;
    // Not at load time: a command without a database must not fail on it.
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    std::string e = usage_error([&] { c.require_database_url(); });
    CHECK(e.find("CHAINIDX_DATABASE_URL_FILE=" + (dir.path / "nope").string()) !=
          std::string::npos);
    CHECK(e.find("cannot read it") != std::string::npos);

    env()["CHAINIDX_DATABASE_URL_FILE"] = dir.write("empty", "\n\n");
    c = Config{};
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(usage_error([&] { c.require_database_url(); }).find("is empty") != std::string::npos);

    env()["CHAINIDX_DATABASE_URL_FILE"] = dir.path.string();
    c = Config{};
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(usage_error([&] { c.require_database_url(); }).find("is a directory") !=
          std::string::npos);
}

TEST_CASE("a_variable_and_its_file_both_set_is_an_error_that_shows_neither_value") {
    TempDir dir;
    env() = {{"CHAINIDX_DATABASE_URL", "postgres://idx:env-secret-pw@h/db"},
             {"CHAINIDX_DATABASE_URL_FILE", dir.write("database-url", k_dsn)}};
    Config c;
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    std::string e = usage_error([&] { c.require_database_url(); });
    CHECK(e.find("CHAINIDX_DATABASE_URL and CHAINIDX_DATABASE_URL_FILE are both set") !=
          std::string::npos);
    CHECK(e.find("env-secret-pw") == std::string::npos);
    CHECK(e.find("file-secret-pw") == std::string::npos);
}

TEST_CASE("chain_rpc_file_gives_endpoints_by_comma_or_line_and_errors_only_for_that_chain") {
    TempDir dir;
    env() = {{"CHAINIDX_BASE_RPC_FILE",
              dir.write("base.rpc", "https://a.example/v2/KEYA\n  https://b.example/KEYB ,\n")},
             {"CHAINIDX_POLYGON_RPC_FILE", (dir.path / "missing").string()}};
    Config c;
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(c.chain("base").rpc.value ==
          std::vector<std::string>{"https://a.example/v2/KEYA", "https://b.example/KEYB"});
    CHECK(c.chain("base").rpc.origin.rfind("env CHAINIDX_BASE_RPC_FILE=", 0) == 0);
    std::string e = usage_error([&] { c.chain("polygon"); });
    CHECK(e.find("CHAINIDX_POLYGON_RPC_FILE=") != std::string::npos);
    // Another chain is not affected.
    CHECK(c.chain_without_rpc("ethereum").rpc.value.empty());
}

TEST_CASE("chainidx_rpc_file_sets_the_endpoints_of_the_runs_chain_only") {
    TempDir dir;
    env() = {{"CHAINIDX_RPC_FILE", dir.write("rpc", "http://127.0.0.1:8545\n")},
             {"CHAINIDX_ETHEREUM_RPC", "http://env:8545"}};
    Overrides flags;
    flags.chain = "ethereum";
    Config c;
    config::apply_env_and_flags(c, flags, fake_getenv);
    CHECK(c.chain("ethereum").rpc.value == std::vector<std::string>{"http://127.0.0.1:8545"});
    CHECK(c.chain("ethereum").rpc.origin.rfind("env CHAINIDX_RPC_FILE=", 0) == 0);
    CHECK(c.chains.at("base").rpc.value.empty());

    // --rpc still wins.
    flags.rpc = {"http://flag:8545"};
    c = Config{};
    config::apply_env_and_flags(c, flags, fake_getenv);
    CHECK(c.chain("ethereum").rpc.value == std::vector<std::string>{"http://flag:8545"});

    // Without --chain it names no chain and is left alone.
    c = Config{};
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(c.chain("ethereum").rpc.value == std::vector<std::string>{"http://env:8545"});

    env()["CHAINIDX_RPC_FILE"] = (dir.path / "gone").string();
    flags.rpc.clear();
    c = Config{};
    config::apply_env_and_flags(c, flags, fake_getenv);
    CHECK(usage_error([&] { c.chain("ethereum"); }).find("CHAINIDX_RPC_FILE=") !=
          std::string::npos);
}

TEST_CASE("a_dollar_reference_in_the_config_file_falls_back_to_NAME_FILE") {
    TempDir dir;
    env() = {{"ETH_RPC_URL_FILE", dir.write("eth", "https://eth.example/v2/FILEKEY\n")},
             {"DB_URL_FILE", dir.write("db", k_dsn)}};
    Config c = config::parse(
        "[database]\nurl = \"$DB_URL\"\n[chains.ethereum]\nrpc = [\"$ETH_RPC_URL\"]\n", "test.toml",
        fake_getenv);
    CHECK(c.require_database_url() == k_dsn);
    CHECK(c.chain("ethereum").rpc.value ==
          std::vector<std::string>{"https://eth.example/v2/FILEKEY"});

    // An unreadable NAME_FILE names the file:line, the key, the variable and the path.
    env() = {{"FIN_FILE", (dir.path / "nope").string()}};
    std::string e = usage_error([&] {
        config::parse("[chains.t]\nchain_id = 5\nfinality = \"$FIN\"\n", "test.toml", fake_getenv);
    });
    CHECK(e.find("test.toml:3: chains.t.finality refers to $FIN") != std::string::npos);
    CHECK(e.find("FIN_FILE=" + (dir.path / "nope").string()) != std::string::npos);

    // Neither set: the message says both names.
    env() = {};
    e = usage_error([&] {
        config::parse("[chains.t]\nchain_id = 5\nfinality = \"$FIN\"\n", "test.toml", fake_getenv);
    });
    CHECK(e.find("nor FIN_FILE") != std::string::npos);
}
