#pragma once
// Hex codecs for the JSON-RPC wire format: fixed-size byte strings (addresses, hashes, ABI words),
// quantities ("0x1b4"), and address parsing for user input. Errors are UsageError naming `what`.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chainidx {

using Address = std::array<uint8_t, 20>;
using Hash32 = std::array<uint8_t, 32>;

namespace hex {

// -1 for a character that is not a hex digit.
inline int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view strip_0x(std::string_view s);

// Decodes exactly N bytes (2N hex digits, optional 0x). Throws UsageError naming `what`.
void decode_into(std::string_view s, uint8_t* out, size_t n, const char* what);
template <size_t N>
std::array<uint8_t, N> decode_fixed(std::string_view s, const char* what) {
    std::array<uint8_t, N> out{};
    decode_into(s, out.data(), N, what);
    return out;
}
std::vector<uint8_t> decode_bytes(std::string_view s, const char* what);

// "0x" + lowercase hex.
std::string encode(const uint8_t* data, size_t size);
template <size_t N>
std::string encode(const std::array<uint8_t, N>& a) {
    return encode(a.data(), N);
}

// JSON-RPC quantities: "0x0", "0x1b4" (no leading zeros required on input).
uint64_t parse_quantity(std::string_view s, const char* what);
std::string to_quantity(uint64_t v);

}  // namespace hex

// A user-supplied or node-supplied 20-byte address, 0x-prefixed; throws UsageError naming `what`.
Address parse_address(std::string_view s, const char* what);

}  // namespace chainidx
