#pragma once
// Amount: an exact signed integer of up to 256 bits of magnitude, so every uint256 on chain and
// its negation fit (a debit of the largest possible transfer). Never a double. Arithmetic checks
// overflow and throws DataError; boost::multiprecision stays inside amount.cpp.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace chainidx {

class Amount {
  public:
    Amount() = default;
    static Amount from_u64(uint64_t v);
    // Exactly 64 hex digits after an optional 0x (one ABI word); throws UsageError otherwise.
    static Amount from_hex_word(std::string_view hex);
    // Big-endian bytes, at most 32.
    static Amount from_be_bytes(const uint8_t* data, size_t size);
    // Optional leading '-', then decimal digits; throws UsageError on junk or > 2^256-1.
    static Amount from_decimal(std::string_view text);

    std::string to_decimal() const;
    bool is_zero() const { return m_mag == std::array<uint64_t, 4>{}; }
    bool is_negative() const { return m_negative && !is_zero(); }

    Amount operator-() const;
    Amount operator+(const Amount& other) const;  // throws DataError on overflow
    Amount operator-(const Amount& other) const { return *this + (-other); }
    bool operator==(const Amount& other) const;
    bool operator<(const Amount& other) const;

  private:
    bool m_negative = false;
    std::array<uint64_t, 4> m_mag{};  // little-endian limbs of the magnitude
    friend struct AmountAccess;
};

}  // namespace chainidx
