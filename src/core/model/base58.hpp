#pragma once
// Base58 (Bitcoin alphabet), the text form of Solana keys, signatures and block hashes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chainidx::base58 {

std::string encode(const uint8_t* data, size_t size);
// Throws UsageError naming `what` on a character outside the alphabet.
std::vector<uint8_t> decode(std::string_view text, const char* what);

}  // namespace chainidx::base58
