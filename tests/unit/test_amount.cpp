// Amount (src/core/model/amount.hpp): exact signed 256-bit magnitudes, checked arithmetic.
#include <doctest/doctest.h>

#include <string>

#include "core/model/amount.hpp"
#include "core/model/errors.hpp"

using chainidx::Amount;
using chainidx::DataError;
using chainidx::UsageError;

namespace {

const std::string k_two_64 = "18446744073709551616";
const std::string k_two_128 = "340282366920938463463374607431768211456";
const std::string k_max =  // 2^256 - 1
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
const std::string k_max_plus_one =  // 2^256
    "115792089237316195423570985008687907853269984665640564039457584007913129639936";

std::string word_with_one_at_bit(int bit) {
    // A 64-digit hex word with only `bit` set.
    std::string digits(64, '0');
    const int nibble = bit / 4;
    digits[63 - nibble] = "1248"[bit % 4];
    return "0x" + digits;
}

}  // namespace

TEST_CASE("amount_from_hex_word_reads_one_abi_word") {
    CHECK(Amount::from_hex_word("0x" + std::string(64, '0')).to_decimal() == "0");
    CHECK(Amount::from_hex_word("0x" + std::string(63, '0') + "1").to_decimal() == "1");
    CHECK(Amount::from_hex_word(word_with_one_at_bit(64)).to_decimal() == k_two_64);
    CHECK(Amount::from_hex_word(word_with_one_at_bit(128)).to_decimal() == k_two_128);
    CHECK(Amount::from_hex_word("0x" + std::string(64, 'f')).to_decimal() == k_max);
    // Upper-case digits and a missing 0x are accepted.
    CHECK(Amount::from_hex_word(std::string(64, 'F')).to_decimal() == k_max);
    CHECK(Amount::from_hex_word("0x" + std::string(62, '0') + "Ff").to_decimal() == "255");
}

TEST_CASE("amount_from_hex_word_rejects_other_lengths_and_non_hex") {
    CHECK_THROWS_AS(Amount::from_hex_word("0x1"), UsageError);
    CHECK_THROWS_AS(Amount::from_hex_word("0x" + std::string(63, '0')), UsageError);
    CHECK_THROWS_AS(Amount::from_hex_word("0x" + std::string(65, '0')), UsageError);
    CHECK_THROWS_AS(Amount::from_hex_word("0x" + std::string(63, '0') + "g"), UsageError);
    CHECK_THROWS_AS(Amount::from_hex_word(""), UsageError);
}

TEST_CASE("amount_from_be_bytes_reads_big_endian_up_to_32_bytes") {
    const uint8_t two_bytes[] = {0x01, 0x00};
    CHECK(Amount::from_be_bytes(two_bytes, 2).to_decimal() == "256");
    CHECK(Amount::from_be_bytes(two_bytes, 0).is_zero());
    uint8_t nine[9] = {0x01};
    CHECK(Amount::from_be_bytes(nine, 9).to_decimal() == k_two_64);
    uint8_t too_long[33] = {};
    CHECK_THROWS_AS(Amount::from_be_bytes(too_long, 33), UsageError);
}

TEST_CASE("amount_decimal_round_trips_at_limb_boundaries") {
    for (const std::string& s : {std::string("0"), std::string("1"),
                                 std::string("18446744073709551615"), k_two_64, k_two_128, k_max}) {
        CAPTURE(s);
        CHECK(Amount::from_decimal(s).to_decimal() == s);
        CHECK(Amount::from_decimal("-" + (s == "0" ? std::string("1") : s)).to_decimal() ==
              "-" + (s == "0" ? std::string("1") : s));
    }
    CHECK(Amount::from_u64(UINT64_MAX).to_decimal() == "18446744073709551615");
    CHECK(Amount::from_decimal("007").to_decimal() == "7");
    // Decimal, not octal (found by tests/fuzz: Boost reads a leading 0 as octal).
    CHECK(Amount::from_decimal("010").to_decimal() == "10");
    CHECK(Amount::from_decimal("0000").to_decimal() == "0");
    CHECK(Amount::from_decimal("-000000000012957955672035746915").to_decimal() ==
          "-12957955672035746915");
    // Zero has no sign.
    CHECK(Amount::from_decimal("-0").to_decimal() == "0");
    CHECK_FALSE(Amount::from_decimal("-0").is_negative());
    CHECK(Amount::from_decimal("-0") == Amount());
}

TEST_CASE("amount_from_decimal_rejects_junk_empty_exponent_and_out_of_range") {
    for (const char* junk : {"", "-", "abc", "12a", "1e5", "1.0", "+1", " 1", "1 ", "0x10", "--1",
                             "1_000", "\xd9\xa1"}) {
        CAPTURE(junk);
        CHECK_THROWS_AS(Amount::from_decimal(junk), UsageError);
    }
    CHECK_THROWS_AS(Amount::from_decimal(k_max_plus_one), UsageError);
    CHECK_THROWS_AS(Amount::from_decimal("-" + k_max_plus_one), UsageError);
    CHECK_THROWS_AS(Amount::from_decimal(std::string(79, '9')), UsageError);
    CHECK_THROWS_AS(Amount::from_decimal("2" + std::string(77, '0')), UsageError);  // 2*10^77 > max
    CHECK(Amount::from_decimal("1" + std::string(77, '0')).to_decimal().size() == 78);
    CHECK_THROWS_WITH_AS(Amount::from_decimal("1e5"), doctest::Contains("1e5"), UsageError);
}

TEST_CASE("amount_negation_flips_the_sign_and_keeps_the_magnitude") {
    Amount five = Amount::from_u64(5);
    CHECK((-five).is_negative());
    CHECK((-five).to_decimal() == "-5");
    CHECK(-(-five) == five);
    CHECK_FALSE((-Amount()).is_negative());
    CHECK(-Amount() == Amount());
    Amount max = Amount::from_decimal(k_max);
    CHECK((-max).to_decimal() == "-" + k_max);
    CHECK(-(-max) == max);
}

TEST_CASE("amount_addition_handles_signs_and_carries") {
    Amount x = Amount::from_decimal(k_two_128);
    Amount sum = -x + x;
    CHECK(sum.is_zero());
    CHECK_FALSE(sum.is_negative());
    CHECK(sum == Amount());
    CHECK(sum.to_decimal() == "0");
    CHECK((Amount::from_u64(5) + -Amount::from_u64(7)).to_decimal() == "-2");
    CHECK((Amount::from_u64(5) - Amount::from_u64(7)).is_negative());
    CHECK((Amount::from_u64(UINT64_MAX) + Amount::from_u64(1)).to_decimal() == k_two_64);
    CHECK((Amount::from_decimal("-" + k_two_64) + Amount::from_u64(1)).to_decimal() ==
          "-18446744073709551615");
    Amount max = Amount::from_decimal(k_max);
    CHECK((max + -max).is_zero());
    CHECK((max - Amount::from_u64(1) + Amount::from_u64(1)) == max);
}

TEST_CASE("amount_addition_overflow_throws_data_error") {
    Amount max = Amount::from_decimal(k_max);
    CHECK_THROWS_AS(max + Amount::from_u64(1), DataError);
    CHECK_THROWS_AS(-max + -Amount::from_u64(1), DataError);
    CHECK_THROWS_AS(max + max, DataError);
    CHECK_THROWS_AS(max - -Amount::from_u64(1), DataError);
}

TEST_CASE("amount_orders_signed_values") {
    CHECK(Amount::from_decimal("-5") < Amount::from_decimal("-3"));
    CHECK(-Amount::from_u64(1) < Amount());
    CHECK(Amount() < Amount::from_u64(1));
    CHECK(Amount::from_u64(UINT64_MAX) < Amount::from_decimal(k_two_64));
    CHECK_FALSE(Amount::from_u64(3) < Amount::from_u64(3));
    CHECK(-Amount::from_decimal(k_max) < Amount::from_decimal(k_max));
}
