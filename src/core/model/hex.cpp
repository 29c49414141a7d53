#include "core/model/hex.hpp"

#include "core/model/errors.hpp"

namespace chainidx::hex {

std::string_view strip_0x(std::string_view s) {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    return s;
}

static std::string shown(std::string_view s) {
    return s.size() > 80 ? std::string(s.substr(0, 80)) + "…" : std::string(s);
}

void decode_into(std::string_view s, uint8_t* out, size_t n, const char* what) {
    std::string_view digits = strip_0x(s);
    if (digits.size() != 2 * n)
        throw UsageError(std::string(what) + " \"" + shown(s) + "\" must be " + std::to_string(n) +
                         " bytes (" + std::to_string(2 * n) + " hex digits), got " +
                         std::to_string(digits.size()) + " digits");
    for (size_t i = 0; i < n; ++i) {
        int hi = digit_value(digits[2 * i]);
        int lo = digit_value(digits[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw UsageError(std::string(what) + " \"" + shown(s) + "\" is not hex (position " +
                             std::to_string(2 * i + (hi < 0 ? 0 : 1) + (s.size() - digits.size())) +
                             ")");
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
}

std::vector<uint8_t> decode_bytes(std::string_view s, const char* what) {
    std::string_view digits = strip_0x(s);
    if (digits.size() % 2 != 0)
        throw UsageError(std::string(what) + " \"" + shown(s) +
                         "\" has an odd number of hex digits");
    std::vector<uint8_t> out(digits.size() / 2);
    decode_into(digits, out.data(), out.size(), what);
    return out;
}

std::string encode(const uint8_t* data, size_t size) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out(2 + 2 * size, '0');
    out[1] = 'x';
    for (size_t i = 0; i < size; ++i) {
        out[2 + 2 * i] = k_digits[data[i] >> 4];
        out[3 + 2 * i] = k_digits[data[i] & 0xf];
    }
    return out;
}

uint64_t parse_quantity(std::string_view s, const char* what) {
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s.size() > 18)
        throw UsageError(std::string(what) + " \"" + shown(s) +
                         "\" is not a hex quantity like 0x1b4 of at most 64 bits");
    uint64_t v = 0;
    for (char c : s.substr(2)) {
        int d = digit_value(c);
        if (d < 0) throw UsageError(std::string(what) + " \"" + shown(s) + "\" is not hex");
        v = v << 4 | static_cast<uint64_t>(d);
    }
    return v;
}

std::string to_quantity(uint64_t v) {
    static constexpr char k_digits[] = "0123456789abcdef";
    char buf[18];
    char* end = buf + sizeof buf;
    char* p = end;
    do {
        *--p = k_digits[v & 0xf];
        v >>= 4;
    } while (v != 0);
    return "0x" + std::string(p, end);
}

}  // namespace chainidx::hex

namespace chainidx {

Address parse_address(std::string_view s, const char* what) {
    if (hex::strip_0x(s).size() == s.size())
        throw UsageError(std::string(what) + " \"" + std::string(s) +
                         "\" must start with 0x followed by 40 hex digits");
    return hex::decode_fixed<20>(s, what);
}

}  // namespace chainidx
