#include "core/model/base58.hpp"

#include <algorithm>

#include "core/model/errors.hpp"

namespace chainidx::base58 {

namespace {
constexpr char k_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int digit_of(char c) {
    const char* p = std::find(k_alphabet, k_alphabet + 58, c);
    return p == k_alphabet + 58 ? -1 : static_cast<int>(p - k_alphabet);
}
}  // namespace

// Schoolbook base conversion: inputs are at most 64 bytes, so quadratic time is nothing.
std::string encode(const uint8_t* data, size_t size) {
    size_t zeros = 0;
    while (zeros < size && data[zeros] == 0) ++zeros;
    std::vector<uint8_t> digits;  // base-58 digits, least significant first
    for (size_t i = zeros; i < size; ++i) {
        int carry = data[i];
        for (uint8_t& d : digits) {
            carry += d * 256;
            d = static_cast<uint8_t>(carry % 58);
            carry /= 58;
        }
        while (carry) {
            digits.push_back(static_cast<uint8_t>(carry % 58));
            carry /= 58;
        }
    }
    std::string out(zeros, '1');
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += k_alphabet[*it];
    return out;
}

std::vector<uint8_t> decode(std::string_view text, const char* what) {
    size_t ones = 0;
    while (ones < text.size() && text[ones] == '1') ++ones;
    std::vector<uint8_t> bytes;  // least significant first
    for (size_t i = ones; i < text.size(); ++i) {
        int carry = digit_of(text[i]);
        if (carry < 0)
            throw UsageError(std::string(what) + ": \"" + std::string(text) +
                             "\" is not base58 (bad character '" + text[i] + "')");
        for (uint8_t& b : bytes) {
            carry += b * 58;
            b = static_cast<uint8_t>(carry & 0xff);
            carry >>= 8;
        }
        while (carry) {
            bytes.push_back(static_cast<uint8_t>(carry & 0xff));
            carry >>= 8;
        }
    }
    std::vector<uint8_t> out(ones, 0);
    out.insert(out.end(), bytes.rbegin(), bytes.rend());
    return out;
}

}  // namespace chainidx::base58
