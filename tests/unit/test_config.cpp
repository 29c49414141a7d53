// Config (src/core/config/config.hpp): TOML + env + flags, validation errors naming file:line and
// key, origins, and secret-free printing.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "core/config/config.hpp"
#include "core/model/errors.hpp"

using namespace chainidx;
using config::Config;
using config::Overrides;

namespace {

// A fake environment: GetEnv is a plain function pointer, so it reads this map.
std::map<std::string, std::string>& fake_env() {
    static std::map<std::string, std::string> env;
    return env;
}
std::optional<std::string> fake_getenv(const std::string& name) {
    auto it = fake_env().find(name);
    if (it == fake_env().end()) return std::nullopt;
    return it->second;
}

Config parse(const std::string& text) {
    return config::parse(text, "test.toml", fake_getenv);
}

// The UsageError message of parsing `text`; fails the test when parsing succeeds.
std::string parse_error(const std::string& text) {
    try {
        parse(text);
    } catch (const UsageError& e) {
        return e.what();
    }
    FAIL("parsing succeeded, expected a UsageError for:\n" << text);
    return "";
}

const std::string k_valid =
    "# a comment\n"                                                                     // 1
    "[database]\n"                                                                      // 2
    "url = \"postgres://indexer:db-secret-pw@db.internal:5432/idx\"\n"                  // 3
    "\n"                                                                                // 4
    "[chains.testnet]\n"                                                                // 5
    "family = \"evm\"\n"                                                                // 6
    "chain_id = 31337\n"                                                                // 7
    "rpc = [\"https://eth-mainnet.g.alchemy.com/v2/RPCSECRETKEY\", \"$BACKUP_RPC\"]\n"  // 8
    "finality = \"depth\"\n"                                                            // 9
    "finality_depth = 12\n"                                                             // 10
    "confirmations = 3\n"                                                               // 11
    "tokens = [\"0xC02AAA39B223FE8D0A0E5C4F27EAD9083C756CC2\"]\n"                       // 12
    "start_block = 17173049\n"                                                          // 13
    "poll_interval_ms = 500\n"                                                          // 14
    "batch_blocks = 100\n"                                                              // 15
    "rpc_timeout_ms = 1000\n"                                                           // 16
    "rpc_retries = 2\n"                                                                 // 17
    "\n"                                                                                // 18
    "[chains.base]\n"                                                                   // 19
    "rpc = \"https://base.example/?apikey=BASESECRET\"\n";                              // 20

}  // namespace

TEST_CASE("config_parses_a_valid_file_with_origins") {
    fake_env() = {{"BACKUP_RPC", "https://backup.example/rpc"}};
    Config c = parse(k_valid);
    CHECK(c.file == "test.toml");
    CHECK(c.database_url.value == "postgres://indexer:db-secret-pw@db.internal:5432/idx");
    CHECK(c.database_url.origin == "file test.toml:3");
    REQUIRE(c.chains.count("testnet") == 1);
    const config::ChainConfig& t = c.chains.at("testnet");
    CHECK(t.name == "testnet");
    CHECK(t.family.value == chain::Family::evm);
    CHECK(t.chain_id.value == 31337);
    CHECK(t.chain_id.origin == "file test.toml:7");
    REQUIRE(t.rpc.value.size() == 2);
    CHECK(t.rpc.value[0] == "https://eth-mainnet.g.alchemy.com/v2/RPCSECRETKEY");
    CHECK(t.rpc.value[1] == "https://backup.example/rpc");  // $BACKUP_RPC, read from the env
    CHECK(t.rpc.origin == "file test.toml:8");
    CHECK(t.finality.value == "depth");
    CHECK(t.finality_depth.value == 12);
    CHECK(t.confirmations.value == 3);
    REQUIRE(t.tokens.value.size() == 1);
    CHECK(hex::encode(t.tokens.value[0]) == "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
    CHECK(t.start_block.value == std::optional<uint64_t>(17173049));
    CHECK(t.poll_interval_ms.value == 500);
    CHECK(t.batch_blocks.value == 100);
    CHECK(t.batch_blocks.origin == "file test.toml:15");
    CHECK(t.rpc_timeout_ms.value == 1000);
    CHECK(t.rpc_retries.value == 2);
    CHECK(&c.chain("testnet") == &t);

    // A known chain name needs no chain_id; unset keys keep their defaults.
    const config::ChainConfig& base = c.chains.at("base");
    CHECK(base.chain_id.value == 8453);
    CHECK(base.chain_id.origin == "default");
    CHECK(base.rpc.value == std::vector<std::string>{"https://base.example/?apikey=BASESECRET"});
    CHECK(base.finality.value == "tags");
    CHECK(base.finality_depth.value == 64);
    CHECK(base.batch_blocks.value == 2000);
    CHECK_FALSE(base.start_block.value.has_value());
}

TEST_CASE("config_unknown_key_names_file_line_and_key") {
    std::string e = parse_error(
        "[chains.testnet]\n"
        "chain_id = 5\n"
        "confirmatons = 3\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.confirmatons") != std::string::npos);
    CHECK(e.find("not a known key") != std::string::npos);

    e = parse_error("[database]\nurl = \"postgres://h/db\"\nuser = \"x\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("database.user") != std::string::npos);

    e = parse_error("\n[databse]\nurl = \"postgres://h/db\"\n");
    CHECK(e.find("test.toml:2") != std::string::npos);
    CHECK(e.find("databse") != std::string::npos);
}

TEST_CASE("config_wrong_type_names_file_line_and_key") {
    std::string e = parse_error("[chains.testnet]\n\nchain_id = \"x\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.chain_id") != std::string::npos);
    CHECK(e.find("integer") != std::string::npos);

    e = parse_error("[chains.testnet]\nchain_id = 5\nconfirmations = 1.5\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.confirmations") != std::string::npos);

    e = parse_error("[chains.testnet]\nchain_id = 5\nfinality = 2\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.finality") != std::string::npos);
    CHECK(e.find("string") != std::string::npos);

    e = parse_error("chains = 5\n");
    CHECK(e.find("test.toml:1") != std::string::npos);
}

TEST_CASE("config_negative_integer_names_file_line_and_key") {
    std::string e = parse_error("[chains.testnet]\nchain_id = 5\nconfirmations = -1\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.confirmations") != std::string::npos);
    CHECK(e.find("negative") != std::string::npos);

    e = parse_error("[chains.testnet]\nchain_id = 5\nbatch_blocks = 0\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.batch_blocks") != std::string::npos);
}

TEST_CASE("config_bad_finality_value_names_file_line_and_key") {
    std::string e = parse_error("[chains.testnet]\nchain_id = 5\n\nfinality = \"final\"\n");
    CHECK(e.find("test.toml:4") != std::string::npos);
    CHECK(e.find("chains.testnet.finality") != std::string::npos);
    CHECK(e.find("\"final\"") != std::string::npos);

    e = parse_error("[chains.testnet]\nchain_id = 5\nfamily = \"gno\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.family") != std::string::npos);
    // The families are the registry's (chain/families.cpp): the message lists every one.
    CHECK(e.find("must be \"evm\", \"bitcoin\" or \"solana\" (got \"gno\")") != std::string::npos);

    e = parse_error("[chains.testnet]\nchain_id = 5\n\nfamily = \"cosmos\"\n");
    CHECK(e.find("test.toml:4") != std::string::npos);
    CHECK(e.find("chains.testnet.family") != std::string::npos);
    CHECK(e.find("\"cosmos\"") != std::string::npos);
}

TEST_CASE("config_bad_token_address_names_file_line_and_key") {
    for (const char* token :
         {"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc", "c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
          "0xz02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"}) {
        CAPTURE(token);
        std::string e = parse_error(
            std::string("[chains.testnet]\nchain_id = 5\ntokens = [\n  \"") + token + "\",\n]\n");
        CHECK(e.find("test.toml:3") != std::string::npos);
        CHECK(e.find("chains.testnet.tokens") != std::string::npos);
        CHECK(e.find(token) != std::string::npos);
    }
}

TEST_CASE("config_unset_variable_is_an_error_naming_file_line_key_and_variable") {
    fake_env() = {};
    // In a key that is always needed: an error at once.
    std::string e = parse_error("[chains.testnet]\nchain_id = 5\nfinality = \"$FINALITY\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.testnet.finality") != std::string::npos);
    CHECK(e.find("$FINALITY") != std::string::npos);

    // In the database url and an endpoint: an error once they are used.
    Config c = parse(
        "[database]\n"
        "url = \"$NO_SUCH_DB_URL\"\n"
        "[chains.testnet]\n"
        "chain_id = 5\n"
        "rpc = [\"$NO_SUCH_RPC\"]\n");
    CHECK_THROWS_WITH_AS(c.require_database_url(),
                         doctest::Contains("test.toml:2: database.url refers to $NO_SUCH_DB_URL"),
                         UsageError);
    CHECK_THROWS_WITH_AS(
        c.chain("testnet"),
        doctest::Contains("test.toml:5: chains.testnet.rpc refers to $NO_SUCH_RPC"), UsageError);
    CHECK(c.chain_without_rpc("testnet").chain_id.value == 5);

    // An empty variable counts as unset.
    fake_env() = {{"EMPTY", ""}};
    e = parse_error("[chains.testnet]\nchain_id = 5\nfamily = \"$EMPTY\"\n");
    CHECK(e.find("$EMPTY") != std::string::npos);
}

TEST_CASE("config_unknown_chain_name_needs_chain_id") {
    std::string e = parse_error("[chains.mychain]\nrpc = \"http://localhost:8545\"\n");
    CHECK(e.find("test.toml:1") != std::string::npos);
    CHECK(e.find("chains.mychain") != std::string::npos);
    CHECK(e.find("chain_id") != std::string::npos);

    Config c = parse("[chains.polygon]\nrpc = \"http://localhost:8545\"\n");
    CHECK(c.chains.at("polygon").chain_id.value == 137);
}

TEST_CASE("config_toml_syntax_error_names_file_and_line") {
    std::string e = parse_error(
        "[database]\n"
        "url = \"postgres://h/db\"\n"
        "[chains.testnet\n"
        "chain_id = 5\n");
    CHECK(e.rfind("test.toml:3:", 0) == 0);

    e = parse_error("[chains.testnet]\nchain_id = 5\nconfirmations = = 3\n");
    CHECK(e.rfind("test.toml:3:", 0) == 0);

    e = parse_error("[chains.testnet]\nchain_id = 5\nrpc = \"unterminated\n");
    CHECK(e.rfind("test.toml:3:", 0) == 0);
}

TEST_CASE("config_env_overrides_file_and_flags_override_env_with_origins") {
    fake_env() = {{"BACKUP_RPC", "https://backup.example/rpc"}};
    Config c = parse(k_valid);
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(c.database_url.origin == "file test.toml:3");
    // Known chains are always there, with their chain ids.
    CHECK(c.chains.at("ethereum").chain_id.value == 1);
    CHECK(c.chains.at("arbitrum").chain_id.value == 42161);

    fake_env()["CHAINIDX_DATABASE_URL"] = "postgres://env@envhost/envdb";
    fake_env()["CHAINIDX_TESTNET_RPC"] = "http://a:8545,http://b:8545";
    c = parse(k_valid);
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(c.database_url.value == "postgres://env@envhost/envdb");
    CHECK(c.database_url.origin == "env CHAINIDX_DATABASE_URL");
    CHECK(c.chains.at("testnet").rpc.value ==
          std::vector<std::string>{"http://a:8545", "http://b:8545"});
    CHECK(c.chains.at("testnet").rpc.origin == "env CHAINIDX_TESTNET_RPC");
    CHECK(c.require_database_url() == "postgres://env@envhost/envdb");

    Overrides flags;
    flags.database_url = "postgres://flag@flaghost/flagdb";
    flags.chain = "testnet";
    flags.rpc = {"http://flag:8545"};
    flags.confirmations = 9;
    flags.batch_blocks = 7;
    c = parse(k_valid);
    config::apply_env_and_flags(c, flags, fake_getenv);
    CHECK(c.database_url.value == "postgres://flag@flaghost/flagdb");
    CHECK(c.database_url.origin == "flag --db");
    const config::ChainConfig& t = c.chains.at("testnet");
    CHECK(t.rpc.value == std::vector<std::string>{"http://flag:8545"});
    CHECK(t.rpc.origin == "flag --rpc");
    CHECK(t.confirmations.value == 9);
    CHECK(t.confirmations.origin == "flag --confirmations");
    CHECK(t.batch_blocks.value == 7);
    CHECK(t.batch_blocks.origin == "flag --batch-blocks");
    // Flags for one chain leave the others alone.
    CHECK(c.chains.at("base").confirmations.origin == "default");

    flags.batch_blocks = 0;
    c = parse(k_valid);
    CHECK_THROWS_AS(config::apply_env_and_flags(c, flags, fake_getenv), UsageError);
}

TEST_CASE("config_env_and_flags_resolve_a_file_value_that_names_an_unset_variable") {
    fake_env() = {};
    Config c = parse(
        "[database]\nurl = \"$NOT_SET\"\n[chains.my-chain]\nchain_id = 5\n"
        "rpc = \"$NOT_SET_EITHER\"\n");
    fake_env() = {{"CHAINIDX_DATABASE_URL", "postgres://h/db"},
                  {"CHAINIDX_MY_CHAIN_RPC", "http://node:8545"}};
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK(c.require_database_url() == "postgres://h/db");
    CHECK(c.chain("my-chain").rpc.value == std::vector<std::string>{"http://node:8545"});
    CHECK(c.chain("my-chain").rpc.origin == "env CHAINIDX_MY_CHAIN_RPC");
}

TEST_CASE("config_missing_database_and_chain_errors_say_what_to_set") {
    fake_env() = {};
    Config c;
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    CHECK_THROWS_WITH_AS(c.require_database_url(), doctest::Contains("CHAINIDX_DATABASE_URL"),
                         UsageError);
    CHECK_THROWS_WITH_AS(c.chain("ethereum"), doctest::Contains("CHAINIDX_ETHEREUM_RPC"),
                         UsageError);
    CHECK_THROWS_WITH_AS(c.chain("nochain"), doctest::Contains("nochain"), UsageError);
    CHECK_THROWS_AS(c.chain_without_rpc("nochain"), UsageError);
}

TEST_CASE("config_describe_masks_database_password_and_rpc_keys") {
    fake_env() = {{"BACKUP_RPC", "https://user:BACKUPPW@backup.example/rpc"}};
    Config c = parse(k_valid);
    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    std::string text = config::describe(c);
    CHECK(text.find("db-secret-pw") == std::string::npos);
    CHECK(text.find("RPCSECRETKEY") == std::string::npos);
    CHECK(text.find("BASESECRET") == std::string::npos);
    CHECK(text.find("BACKUPPW") == std::string::npos);
    // What is left still says where things are and where they came from.
    CHECK(text.find("db.internal") != std::string::npos);
    CHECK(text.find("eth-mainnet.g.alchemy.com") != std::string::npos);
    CHECK(text.find("file test.toml:3") != std::string::npos);
    CHECK(text.find("[chains.testnet]") != std::string::npos);
    CHECK(text.find("chain_id = 31337") != std::string::npos);
    CHECK(text.find("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2") != std::string::npos);

    Overrides flags;
    flags.database_url = "host=db.internal user=indexer password=flag-secret-pw dbname=idx";
    c = parse(k_valid);
    config::apply_env_and_flags(c, flags, fake_getenv);
    text = config::describe(c);
    CHECK(text.find("flag-secret-pw") == std::string::npos);
    CHECK(text.find("flag --db") != std::string::npos);
}

TEST_CASE("redact_database_url_hides_the_password_in_every_form") {
    CHECK(config::redact_database_url("postgres://u:p@h/db") == "postgres://u:***@h/db");
    CHECK(config::redact_database_url("postgresql://indexer:s3cret@127.0.0.1:5432/idx") ==
          "postgresql://indexer:***@127.0.0.1:5432/idx");
    CHECK(config::redact_database_url("postgres://u@h:5432/db") == "postgres://u@h:5432/db");
    CHECK(config::redact_database_url("postgres://h/db") == "postgres://h/db");
    std::string q =
        config::redact_database_url("postgres://u@h/db?sslmode=require&password=QSECRET");
    CHECK(q.find("QSECRET") == std::string::npos);
    CHECK(q.find("sslmode=require") != std::string::npos);
    q = config::redact_database_url("postgres://u@h/db?password=QSECRET&sslmode=require");
    CHECK(q.find("QSECRET") == std::string::npos);
    CHECK(q.find("sslmode=require") != std::string::npos);
    CHECK(config::redact_database_url("host=x password=y") == "host=x password=***");
    CHECK(config::redact_database_url("host=x password=KSECRET dbname=z") ==
          "host=x password=*** dbname=z");
    CHECK(config::redact_database_url("host=x dbname=z") == "host=x dbname=z");
}

// Regression test (src/core/config/config.cpp, redact_database_url, keyword form, fixed): libpq's
// keyword form allows spaces around '=' and single-quoted values with spaces ("password = 'a b'");
// the redaction only looks for the literal "password=" and ends the value at the next space, so
// these forms print the password in `config show`, logs and connection errors.
TEST_CASE("redact_database_url_hides_quoted_or_spaced_keyword_passwords") {
    std::string spaced = config::redact_database_url("host=x password = SPACEDSECRET dbname=z");
    CHECK_MESSAGE(spaced.find("SPACEDSECRET") == std::string::npos, spaced);
    std::string quoted = config::redact_database_url("host=x password='QUOTED SECRET' dbname=z");
    CHECK_MESSAGE(quoted.find("SECRET") == std::string::npos, quoted);
}

TEST_CASE("redact_rpc_url_keeps_only_scheme_host_and_port") {
    CHECK(config::redact_rpc_url("https://eth-mainnet.g.alchemy.com/v2/SECRETKEY") ==
          "https://eth-mainnet.g.alchemy.com/***");
    CHECK(config::redact_rpc_url("https://user:pw@host/") == "https://host");
    CHECK(config::redact_rpc_url("https://user:pw@host") == "https://host");
    CHECK(config::redact_rpc_url("https://host/rpc?apikey=SECRET") == "https://host/***");
    CHECK(config::redact_rpc_url("https://host?apikey=SECRET") == "https://host/***");
    CHECK(config::redact_rpc_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545");
    CHECK(config::redact_rpc_url("wss://node.example:8546/ws#frag") ==
          "wss://node.example:8546/***");
    for (const char* url :
         {"https://eth-mainnet.g.alchemy.com/v2/SECRETKEY", "https://user:pw@host/",
          "https://host/?apikey=SECRET", "https://u:SECRET@h:1/x?apikey=SECRET"}) {
        CAPTURE(url);
        std::string r = config::redact_rpc_url(url);
        CHECK(r.find("SECRET") == std::string::npos);
        CHECK(r.find("pw") == std::string::npos);
    }
    // Not a URL at all: nothing of it is shown.
    CHECK(config::redact_rpc_url("SECRETKEY") == "<rpc endpoint>");
}

TEST_CASE("config_bitcoin_and_solana_families_get_their_defaults_and_need_no_chain_id") {
    Config c = parse(
        "[chains.btc]\n"                                                     // 1
        "family = \"bitcoin\"\n"                                             // 2
        "rpc = \"http://127.0.0.1:8332\"\n"                                  // 3
        "finality_depth = 2\n"                                               // 4
        "\n"                                                                 // 5
        "[chains.sol]\n"                                                     // 6
        "family = \"solana\"\n"                                              // 7
        "rpc = \"http://127.0.0.1:8899\"\n"                                  // 8
        "commitment = \"finalized\"\n"                                       // 9
        "genesis_hash = \"5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d\"\n"  // 10
        "batch_blocks = 7\n");                                               // 11
    const config::ChainConfig& btc = c.chains.at("btc");
    CHECK(btc.family.value == chain::Family::bitcoin);
    CHECK(btc.chain_id.value == 0);
    CHECK(btc.finality.value == "depth");
    CHECK(btc.finality.origin == "default for bitcoin");
    CHECK(btc.finality_depth.value == 2);  // set in the file: the file wins
    CHECK(btc.finality_depth.origin == "file test.toml:4");
    CHECK(btc.confirmations.value == 0);
    CHECK(btc.batch_blocks.value == 20);
    CHECK(btc.batch_blocks.origin == "default for bitcoin");

    const config::ChainConfig& sol = c.chains.at("sol");
    CHECK(sol.family.value == chain::Family::solana);
    CHECK(sol.chain_id.value == 0);
    CHECK(sol.finality.value == "tags");
    CHECK(sol.finality_depth.value == 32);
    CHECK(sol.finality_depth.origin == "default for solana");
    CHECK(sol.batch_blocks.value == 7);
    CHECK(sol.commitment.value == "finalized");
    CHECK(sol.commitment.origin == "file test.toml:9");
    CHECK(sol.genesis_hash.value == "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d");

    // Solana without the keys: commitment "confirmed", no genesis check.
    Config d = parse("[chains.sol]\nfamily = \"solana\"\n");
    CHECK(d.chains.at("sol").commitment.value == "confirmed");
    CHECK(d.chains.at("sol").commitment.origin == "default");
    CHECK(d.chains.at("sol").genesis_hash.value.empty());

    // EVM chains still need a chain id, and keep the EVM defaults.
    std::string e = parse_error("[chains.mine]\nfamily = \"evm\"\n");
    CHECK(e.find("chain_id") != std::string::npos);
    Config f = parse("[chains.mine]\nfamily = \"evm\"\nchain_id = 10\n");
    CHECK(f.chains.at("mine").batch_blocks.value == 2000);
    CHECK(f.chains.at("mine").finality_depth.value == 64);

    std::string text = config::describe(c);
    CHECK(text.find("commitment = \"finalized\"") != std::string::npos);
    CHECK(text.find("default for bitcoin") != std::string::npos);
}

TEST_CASE("config_family_specific_keys_are_refused_elsewhere_naming_file_line_and_key") {
    std::string e = parse_error(
        "[chains.btc]\nfamily = \"bitcoin\"\n"
        "tokens = [\"0xC02AAA39B223FE8D0A0E5C4F27EAD9083C756CC2\"]\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.btc.tokens") != std::string::npos);
    CHECK(e.find("evm") != std::string::npos);

    e = parse_error("[chains.testnet]\nchain_id = 5\n\ncommitment = \"confirmed\"\n");
    CHECK(e.find("test.toml:4") != std::string::npos);
    CHECK(e.find("chains.testnet.commitment") != std::string::npos);
    CHECK(e.find("solana") != std::string::npos);

    e = parse_error("[chains.sol]\nfamily = \"solana\"\ncommitment = \"final\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.sol.commitment") != std::string::npos);
    CHECK(e.find("\"final\"") != std::string::npos);

    e = parse_error("[chains.sol]\nfamily = \"solana\"\ngenesis_hash = \"0xabc\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("chains.sol.genesis_hash") != std::string::npos);
    // Bitcoin block hashes are hex; the default is mainnet's block 0; EVM has no such key.
    e = parse_error("[chains.btc]\nfamily = \"bitcoin\"\ngenesis_hash = \"GH7ome3EiwEr7tu9\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("64 lowercase hex digits") != std::string::npos);
    e = parse_error("[chains.testnet]\nchain_id = 5\ngenesis_hash = \"" + std::string(64, 'a') +
                    "\"\n");
    CHECK(e.find("chains.testnet.genesis_hash is only for family") != std::string::npos);
    Config b = parse("[chains.btc]\nfamily = \"bitcoin\"\n");
    CHECK(b.chains.at("btc").genesis_hash.value ==
          "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    b = parse("[chains.btc]\nfamily = \"bitcoin\"\ngenesis_hash = \"" + std::string(64, 'b') +
              "\"\n");
    CHECK(b.chains.at("btc").genesis_hash.value == std::string(64, 'b'));
}

TEST_CASE("config_ca_file_flag_applies_to_every_chain_and_must_be_readable") {
    Config c = parse(k_valid);
    Overrides flags;
    flags.ca_file = CHAINIDX_TEST_FIXTURES "/btc/SOURCES.md";  // any readable file
    config::apply_env_and_flags(c, flags, fake_getenv);
    for (const auto& [name, chain] : c.chains) {
        CHECK(chain.ca_file.value == *flags.ca_file);
        CHECK(chain.ca_file.origin == "flag --ca-file");
    }
    flags.ca_file = "/nonexistent/ca.pem";
    c = parse(k_valid);
    try {
        config::apply_env_and_flags(c, flags, fake_getenv);
        FAIL("expected a UsageError");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()).find("--ca-file /nonexistent/ca.pem") != std::string::npos);
    }
}

TEST_CASE("config_rpc_resilience_keys_parse_with_defaults_and_checks") {
    Config c = parse(
        "[chains.testnet]\n"                // 1
        "chain_id = 5\n"                    // 2
        "rpc_rate_limit = 2.5\n"            // 3
        "rpc_max_concurrency = 2\n"         // 16
        "rpc_breaker_failures = 3\n"        // 5
        "rpc_breaker_cooldown_ms = 1000\n"  // 6
        "rpc_retry_budget_ms = 5000\n"      // 7
        "rpc_max_response_bytes = 1048576\n"
        "[chains.other]\n"
        "chain_id = 6\n"
        "rpc_rate_limit = 10\n");
    const config::ChainConfig& t = c.chains.at("testnet");
    CHECK(t.rpc_rate_limit.value == doctest::Approx(2.5));
    CHECK(t.rpc_rate_limit.origin == "file test.toml:3");
    CHECK(t.rpc_max_concurrency.value == 2);
    CHECK(t.rpc_breaker_failures.value == 3);
    CHECK(t.rpc_breaker_cooldown_ms.value == 1000);
    CHECK(t.rpc_retry_budget_ms.value == 5000);
    CHECK(t.rpc_max_response_bytes.value == 1048576);
    CHECK(c.chains.at("other").rpc_rate_limit.value == doctest::Approx(10));

    config::apply_env_and_flags(c, Overrides{}, fake_getenv);
    const config::ChainConfig& d = c.chains.at("ethereum");
    CHECK(d.rpc_rate_limit.value == 0);
    CHECK(d.rpc_max_concurrency.value == 16);
    CHECK(d.rpc_breaker_failures.value == 5);
    CHECK(d.rpc_breaker_cooldown_ms.value == 30000);
    CHECK(d.rpc_retry_budget_ms.value == 120000);
    CHECK(d.rpc_max_response_bytes.value == uint64_t(64) << 20);
    CHECK(d.ca_file.value.empty());

    std::string text = config::describe(c);
    CHECK(text.find("rpc_rate_limit = 2.5    # file test.toml:3") != std::string::npos);
    CHECK(text.find("rpc_max_concurrency = 2") != std::string::npos);
    CHECK(text.find("rpc_retry_budget_ms = 120000    # default") != std::string::npos);
    CHECK(text.find("ca_file = (system CA store)") != std::string::npos);

    for (const char* bad :
         {"rpc_rate_limit = -1", "rpc_rate_limit = \"fast\"", "rpc_rate_limit = nan",
          "rpc_max_concurrency = 0", "rpc_max_response_bytes = 0", "rpc_breaker_failures = -2",
          "rpc_retry_budget_ms = 1.5"}) {
        CAPTURE(bad);
        std::string e = parse_error(std::string("[chains.testnet]\nchain_id = 5\n") + bad + "\n");
        CHECK(e.find("test.toml:3") != std::string::npos);
        CHECK(e.find("chains.testnet." + std::string(bad).substr(0, std::string(bad).find(' '))) !=
              std::string::npos);
    }
}

TEST_CASE("config_ca_file_must_exist_and_is_taken_relative_to_the_config_file") {
    namespace fs = std::filesystem;
    // Per process: another build's tests may run at the same time.
    const fs::path dir =
        fs::temp_directory_path() / ("chainidx-test-ca-file-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "ca.pem") << "-----BEGIN CERTIFICATE-----\n";
    const std::string cfg = (dir / "chainidx.toml").string();

    Config c =
        config::parse("[chains.testnet]\nchain_id = 5\nca_file = \"ca.pem\"\n", cfg, fake_getenv);
    CHECK(c.chains.at("testnet").ca_file.value == (dir / "ca.pem").string());
    CHECK(c.chains.at("testnet").ca_file.origin == "file " + cfg + ":3");
    CHECK(config::describe(c).find("ca.pem") != std::string::npos);

    c = config::parse(
        "[chains.testnet]\nchain_id = 5\nca_file = \"" + (dir / "ca.pem").string() + "\"\n",
        "elsewhere/chainidx.toml", fake_getenv);
    CHECK(c.chains.at("testnet").ca_file.value == (dir / "ca.pem").string());

    std::string e =
        parse_error("[chains.testnet]\nchain_id = 5\n\nca_file = \"/no/such/ca.pem\"\n");
    CHECK(e.find("test.toml:4") != std::string::npos);
    CHECK(e.find("chains.testnet.ca_file") != std::string::npos);
    CHECK(e.find("/no/such/ca.pem") != std::string::npos);
    fs::remove_all(dir);
}
