#pragma once
// Bitcoin amounts: the node writes BTC as a decimal number (`50.00000000`; fixtures from other
// tools also `50.0`, `95`, `1e-08`). Read from the number's exact text, never through a double.
#include <cstdint>
#include <string>
#include <string_view>

namespace chainidx::bitcoin {

// 21 million BTC: no amount is larger (Bitcoin Core's MAX_MONEY).
inline constexpr int64_t k_max_satoshis = int64_t(21'000'000) * 100'000'000;

// Satoshis of a BTC amount's decimal text. Throws UsageError (with `what`) for anything that is
// not a non-negative decimal, has a fraction below one satoshi, or exceeds 21 million BTC.
int64_t satoshis_from_btc(std::string_view text, const char* what);

}  // namespace chainidx::bitcoin
