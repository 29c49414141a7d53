#include "core/chain/bitcoin/btc_amount.hpp"

#include "core/model/errors.hpp"

namespace chainidx::bitcoin {

int64_t satoshis_from_btc(std::string_view text, const char* what) {
    auto bad = [&](const char* why) -> UsageError {
        return UsageError(std::string(what) + ": \"" + std::string(text) +
                          "\" is not a BTC amount (" + why + ")");
    };
    // value = digits × 10^exponent, read exactly.
    std::string digits;
    int64_t exponent = 0;
    size_t i = 0;
    bool seen_point = false, any_digit = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            any_digit = true;
            if (!(digits.empty() && c == '0')) digits += c;  // no leading zeros
            if (seen_point) --exponent;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
        if (digits.size() > 30) throw bad("too many digits");
    }
    if (!any_digit) throw bad("no digits");
    if (i < text.size()) {
        if (text[i] != 'e' && text[i] != 'E') throw bad("unexpected character");
        ++i;
        bool negative = i < text.size() && text[i] == '-';
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        if (i == text.size()) throw bad("empty exponent");
        int64_t e = 0;
        for (; i < text.size(); ++i) {
            if (text[i] < '0' || text[i] > '9') throw bad("unexpected character in the exponent");
            e = e * 10 + (text[i] - '0');
            if (e > 1000) throw bad("exponent out of range");
        }
        exponent += negative ? -e : e;
    }
    if (digits.empty()) return 0;
    int64_t shift = exponent + 8;  // satoshis = digits × 10^shift
    if (shift < 0) {
        size_t drop = static_cast<size_t>(-shift);
        if (drop >= digits.size() ||
            digits.find_first_not_of('0', digits.size() - drop) != std::string::npos)
            throw bad("a fraction below one satoshi");
        digits.resize(digits.size() - drop);
    } else {
        if (digits.size() + static_cast<size_t>(shift) > 16) throw bad("above 21 million BTC");
        digits.append(static_cast<size_t>(shift), '0');
    }
    if (digits.size() > 16) throw bad("above 21 million BTC");
    int64_t sats = 0;
    for (char c : digits) sats = sats * 10 + (c - '0');
    if (sats > k_max_satoshis) throw bad("above 21 million BTC");
    return sats;
}

}  // namespace chainidx::bitcoin
