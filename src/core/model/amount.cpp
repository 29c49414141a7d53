#include "core/model/amount.hpp"

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>

#include "core/model/errors.hpp"
#include "core/model/hex.hpp"

namespace chainidx {

namespace mp = boost::multiprecision;
// Signed magnitude with 256 bits of magnitude: holds -(2^256-1) .. 2^256-1, throws on overflow.
using BigInt = mp::checked_int256_t;

struct AmountAccess {
    static BigInt to_big(const Amount& a) {
        BigInt v = 0;
        for (int i = 3; i >= 0; --i) {
            v <<= 64;
            v += a.m_mag[i];
        }
        return a.m_negative ? BigInt(-v) : v;
    }
    static Amount from_big(const BigInt& v) {
        Amount a;
        a.m_negative = v < 0;
        BigInt mag = a.m_negative ? BigInt(-v) : v;
        for (int i = 0; i < 4; ++i) {
            a.m_mag[i] = static_cast<uint64_t>(mag & BigInt(UINT64_MAX));
            mag >>= 64;
        }
        return a;
    }
    static std::array<uint64_t, 4>& mag(Amount& a) { return a.m_mag; }
};

Amount Amount::from_u64(uint64_t v) {
    Amount a;
    AmountAccess::mag(a)[0] = v;
    return a;
}

Amount Amount::from_be_bytes(const uint8_t* data, size_t size) {
    if (size > 32) throw UsageError("amount has " + std::to_string(size) + " bytes, more than 32");
    Amount a;
    auto& mag = AmountAccess::mag(a);
    for (size_t i = 0; i < size; ++i) {
        size_t bit_index = (size - 1 - i) * 8;
        mag[bit_index / 64] |= static_cast<uint64_t>(data[i]) << (bit_index % 64);
    }
    return a;
}

Amount Amount::from_hex_word(std::string_view hex) {
    auto bytes = hex::decode_fixed<32>(hex, "amount");
    return from_be_bytes(bytes.data(), bytes.size());
}

Amount Amount::from_decimal(std::string_view text) {
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && digits.front() == '-') {
        negative = true;
        digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 78)
        throw UsageError("amount \"" + std::string(text.substr(0, 90)) +
                         "\" is not a decimal integer of at most 78 digits");
    for (char c : digits)
        if (c < '0' || c > '9')
            throw UsageError("amount \"" + std::string(text.substr(0, 90)) +
                             "\" is not a decimal integer");
    // Leading zeros off: Boost reads "010" as octal (8), and "09" not at all.
    digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size() - 1));
    try {
        BigInt v{std::string(digits)};
        return AmountAccess::from_big(negative ? BigInt(-v) : v);
    } catch (const std::overflow_error&) {
        throw UsageError("amount " + std::string(text) + " is out of range (more than 2^256-1)");
    } catch (const std::range_error&) {
        throw UsageError("amount " + std::string(text) + " is out of range (more than 2^256-1)");
    }
}

std::string Amount::to_decimal() const {
    // Fast path: most amounts fit in 128 bits.
    if (m_mag[2] == 0 && m_mag[3] == 0) {
        unsigned __int128 v = (static_cast<unsigned __int128>(m_mag[1]) << 64) | m_mag[0];
        char buf[48];
        char* end = buf + sizeof buf;
        char* p = end;
        do {
            *--p = static_cast<char>('0' + static_cast<int>(v % 10));
            v /= 10;
        } while (v != 0);
        if (is_negative()) *--p = '-';
        return std::string(p, end);
    }
    return AmountAccess::to_big(*this).str();
}

Amount Amount::operator-() const {
    Amount a = *this;
    a.m_negative = !m_negative;
    return a;
}

Amount Amount::operator+(const Amount& other) const {
    try {
        return AmountAccess::from_big(AmountAccess::to_big(*this) + AmountAccess::to_big(other));
    } catch (const std::overflow_error&) {
        throw DataError("amount overflow: " + to_decimal() + " + " + other.to_decimal() +
                        " does not fit in 256 bits");
    } catch (const std::range_error&) {
        throw DataError("amount overflow: " + to_decimal() + " + " + other.to_decimal() +
                        " does not fit in 256 bits");
    }
}

bool Amount::operator==(const Amount& other) const {
    if (is_zero() && other.is_zero()) return true;
    return m_negative == other.m_negative && m_mag == other.m_mag;
}

bool Amount::operator<(const Amount& other) const {
    return AmountAccess::to_big(*this) < AmountAccess::to_big(other);
}

}  // namespace chainidx
