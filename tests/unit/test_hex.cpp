// Hex codecs and address parsing (src/core/model/hex.hpp).
#include <doctest/doctest.h>

#include <string>

#include "core/model/errors.hpp"
#include "core/model/hex.hpp"

using chainidx::Address;
using chainidx::UsageError;
namespace hex = chainidx::hex;

namespace {
const std::string k_addr = "0x6b75d8af000000e20b7a7ddf000ba900b4009a80";
}

TEST_CASE("parse_address_accepts_0x_and_40_hex_digits_in_either_case") {
    Address a = chainidx::parse_address(k_addr, "token");
    CHECK(a[0] == 0x6b);
    CHECK(a[19] == 0x80);
    CHECK(hex::encode(a) == k_addr);
    CHECK(chainidx::parse_address("0x6B75D8AF000000E20B7A7DDF000BA900B4009A80", "token") == a);
    CHECK(chainidx::parse_address("0X6b75d8af000000e20b7a7ddf000ba900b4009a80", "token") == a);
}

TEST_CASE("parse_address_rejects_missing_0x_wrong_length_and_non_hex") {
    CHECK_THROWS_WITH_AS(chainidx::parse_address(k_addr.substr(2), "--token"),
                         doctest::Contains("--token"), UsageError);
    CHECK_THROWS_WITH_AS(chainidx::parse_address(k_addr + "00", "account"),
                         doctest::Contains("20 bytes"), UsageError);
    CHECK_THROWS_AS(chainidx::parse_address(k_addr.substr(0, 41), "account"), UsageError);
    CHECK_THROWS_AS(chainidx::parse_address("0x", "account"), UsageError);
    CHECK_THROWS_AS(chainidx::parse_address("", "account"), UsageError);
    std::string bad = k_addr;
    bad[10] = 'g';
    CHECK_THROWS_WITH_AS(chainidx::parse_address(bad, "account"), doctest::Contains("not hex"),
                         UsageError);
    bad = k_addr;
    bad[41] = ' ';
    CHECK_THROWS_AS(chainidx::parse_address(bad, "account"), UsageError);
}

TEST_CASE("hex_decode_fixed_takes_exactly_n_bytes_with_optional_0x") {
    auto h = hex::decode_fixed<4>("deadBEEF", "word");
    CHECK(h[0] == 0xde);
    CHECK(h[3] == 0xef);
    CHECK(hex::decode_fixed<4>("0xdeadbeef", "word") == h);
    CHECK_THROWS_WITH_AS(hex::decode_fixed<4>("0xdeadbe", "block hash"),
                         doctest::Contains("block hash"), UsageError);
    CHECK_THROWS_AS(hex::decode_fixed<4>("0xdeadbeef00", "word"), UsageError);
    CHECK_THROWS_AS(hex::decode_fixed<4>("0xdeadbeez", "word"), UsageError);
}

TEST_CASE("hex_decode_bytes_reads_any_even_length") {
    CHECK(hex::decode_bytes("0x", "data").empty());
    CHECK(hex::decode_bytes("", "data").empty());
    auto b = hex::decode_bytes("0x00ff10", "data");
    REQUIRE(b.size() == 3);
    CHECK(b[1] == 0xff);
    CHECK_THROWS_WITH_AS(hex::decode_bytes("0xabc", "data"), doctest::Contains("odd"), UsageError);
    CHECK_THROWS_AS(hex::decode_bytes("0xzz", "data"), UsageError);
}

TEST_CASE("hex_encode_writes_0x_and_lowercase") {
    const uint8_t bytes[] = {0xAB, 0x01, 0xF0};
    CHECK(hex::encode(bytes, 3) == "0xab01f0");
    CHECK(hex::encode(bytes, 0) == "0x");
    std::array<uint8_t, 2> arr{0xCD, 0xEF};
    CHECK(hex::encode(arr) == "0xcdef");
    CHECK(hex::strip_0x("0xab") == "ab");
    CHECK(hex::strip_0x("ab") == "ab");
}

TEST_CASE("hex_parse_quantity_reads_json_rpc_quantities") {
    CHECK(hex::parse_quantity("0x0", "n") == 0);
    CHECK(hex::parse_quantity("0x1b4", "n") == 436);
    CHECK(hex::parse_quantity("0x1B4", "n") == 436);
    CHECK(hex::parse_quantity("0x01", "n") == 1);
    CHECK(hex::parse_quantity("0x76250", "n") == 483920);
    CHECK(hex::parse_quantity("0xffffffffffffffff", "n") == UINT64_MAX);
    for (const char* bad : {"", "0x", "0", "1b4", "0xg", "0x1 ", "-0x1", "0x10000000000000000"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(hex::parse_quantity(bad, "blockNumber"), UsageError);
    }
    CHECK_THROWS_WITH_AS(hex::parse_quantity("12", "blockNumber"), doctest::Contains("blockNumber"),
                         UsageError);
}

TEST_CASE("hex_to_quantity_writes_shortest_form_and_round_trips") {
    CHECK(hex::to_quantity(0) == "0x0");
    CHECK(hex::to_quantity(436) == "0x1b4");
    CHECK(hex::to_quantity(UINT64_MAX) == "0xffffffffffffffff");
    for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{15}, uint64_t{16}, uint64_t{17173049},
                       UINT64_MAX - 1}) {
        CAPTURE(v);
        CHECK(hex::parse_quantity(hex::to_quantity(v), "n") == v);
    }
}
