// The family registry (src/core/chain/families.cpp): every row complete and consistent, and the
// code that reads it (config's family-only keys and defaults, key codecs, adapters) driven by it.
#include <doctest/doctest.h>

#include <string>

#include "core/chain/adapter.hpp"
#include "core/chain/family.hpp"
#include "core/chain/keys.hpp"
#include "core/config/config.hpp"
#include "core/model/errors.hpp"

using namespace chainidx;

namespace {

config::Config parse(const std::string& text) {
    return config::parse(text, "test.toml", [](const std::string&) -> std::optional<std::string> {
        return std::nullopt;
    });
}

std::string parse_error(const std::string& text) {
    try {
        parse(text);
    } catch (const UsageError& e) {
        return e.what();
    }
    FAIL("parsing succeeded, expected a UsageError for:\n" << text);
    return "";
}

// A config section of `family` that is valid without family-only keys.
std::string section(const chain::FamilyInfo& f) {
    return "[chains.c]\nfamily = \"" + std::string(f.name) + "\"\n" +
           (f.needs_chain_id ? "chain_id = 7\n" : "");
}

}  // namespace

TEST_CASE("every_family_row_is_complete_and_found_by_its_name_and_id") {
    CHECK(chain::families().size() == 3);
    for (const chain::FamilyInfo& f : chain::families()) {
        CAPTURE(f.name);
        CHECK(&chain::family_info(f.id) == &f);
        CHECK(chain::find_family(f.name) == &f);
        CHECK(chain::parse_family(f.name) == f.id);
        CHECK(std::string(chain::family_name(f.id)) == f.name);
        CHECK(std::string(f.item_noun).size() > 0);
        REQUIRE(bool(f.keys));
        REQUIRE(bool(f.apply_defaults));
        REQUIRE(bool(f.make_adapter));
        // An adapter is made without a node (its client connects on first use).
        config::Config c = parse(section(f) + "rpc = [\"http://127.0.0.1:9\"]\n");
        CHECK(chain::make_adapter(c.chains.at("c")) != nullptr);
        // The codec reads back what it writes.
        const chain::KeyFormat keys(f.id);
        Hash32 h{};
        h[0] = 0x12;
        h[31] = 0xab;
        CHECK(keys.parse_block_hash(keys.block_hash(h), "test") == h);
    }
}

TEST_CASE("an_unknown_family_is_refused_naming_every_registered_one") {
    CHECK(chain::find_family("gno") == nullptr);
    try {
        chain::parse_family("cosmos");
        FAIL("cosmos parsed as a family");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) ==
              "unknown chain family \"cosmos\" (expected \"evm\", \"bitcoin\" or \"solana\")");
    }
    CHECK(chain::family_names(chain::k_key_genesis_hash) == "\"bitcoin\" or \"solana\"");
    CHECK(chain::family_names(chain::k_key_tokens) == "\"evm\"");
}

TEST_CASE("a_family_only_key_is_accepted_exactly_where_its_row_says") {
    struct KeyCase {
        unsigned bit;
        std::string line;
    };
    const KeyCase cases[] = {
        {chain::k_key_tokens, "tokens = [\"0xC02AAA39B223FE8D0A0E5C4F27EAD9083C756CC2\"]"},
        {chain::k_key_commitment, "commitment = \"finalized\""},
        {chain::k_key_genesis_hash,
         "genesis_hash = \"GH7ome3EiwEr7tu9JuTh2dpYWBJK3z69Xm1ZE3MEE6JC\""},
    };
    for (const chain::FamilyInfo& f : chain::families()) {
        for (const KeyCase& k : cases) {
            CAPTURE(f.name);
            CAPTURE(k.line);
            const std::string text = section(f) + k.line + "\n";
            if (!(f.keys_accepted & k.bit)) {
                const std::string e = parse_error(text);
                CHECK(e.find("is only for family " + chain::family_names(k.bit)) !=
                      std::string::npos);
                CHECK(e.find("(this chain is \"" + std::string(f.name) + "\")") !=
                      std::string::npos);
            } else if (k.bit == chain::k_key_genesis_hash && f.id == chain::Family::bitcoin) {
                // Accepted, but written Bitcoin's way (a base58 hash is not).
                CHECK(parse_error(text).find("64 lowercase hex digits") != std::string::npos);
            } else {
                CHECK_NOTHROW(parse(text));
            }
        }
    }
}

TEST_CASE("a_genesis_hash_is_checked_by_the_family_s_codec") {
    // Solana's is 32 bytes in base58: 44 base58 digits that decode to more are refused at the
    // file's line, not when the node is first asked.
    const std::string e = parse_error("[chains.s]\nfamily = \"solana\"\ngenesis_hash = \"" +
                                      std::string(44, 'z') + "\"\n");
    CHECK(e.find("test.toml:3") != std::string::npos);
    CHECK(e.find("must be 32 bytes in base58") != std::string::npos);
    CHECK_NOTHROW(
        parse("[chains.s]\nfamily = \"solana\"\ngenesis_hash = "
              "\"5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d\"\n"));
}

TEST_CASE("family_defaults_fill_only_unset_keys_and_say_whose_they_are") {
    config::Config c = parse("[chains.b]\nfamily = \"bitcoin\"\nbatch_blocks = 7\n");
    const config::ChainConfig& b = c.chains.at("b");
    CHECK(b.finality.value == "depth");
    CHECK(b.finality.origin == "default for bitcoin");
    CHECK(b.batch_blocks.value == 7);
    CHECK(b.batch_blocks.origin == "file test.toml:3");
    config::Config e = parse("[chains.e]\nfamily = \"evm\"\nchain_id = 1\n");
    CHECK(e.chains.at("e").batch_blocks.origin == "default");
}

TEST_CASE("why_a_node_gave_no_balance_is_said_the_family_s_way") {
    // EVM asks each token contract (balanceOf): a contract that answers no account is not an
    // ERC-20; the other families' nodes answer for the coin and their tokens alike.
    for (const chain::FamilyInfo& f : chain::families()) {
        CAPTURE(f.name);
        config::Config c = parse(section(f) + "rpc = [\"http://127.0.0.1:9\"]\n");
        const auto adapter = chain::make_adapter(c.chains.at("c"));
        const std::string all = adapter->why_no_balance(true), one = adapter->why_no_balance(false);
        if (f.id == chain::Family::evm) {
            CHECK(all.rfind("no_balanceOf: ", 0) == 0);
            CHECK(one.rfind("balanceOf_failed: ", 0) == 0);
        } else {
            CHECK(all.rfind("no_answer: ", 0) == 0);
            CHECK(one == all);
        }
    }
}
