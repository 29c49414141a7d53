#pragma once
// A chain's identifier as bytes, stored inline (no allocation per event): an EVM address (20
// bytes) or tx hash (32), a Solana public key (32) or signature (64), a Bitcoin txid (32) or
// address / script id (its text). How a key is printed and parsed depends on the chain family
// (core/chain/keys.hpp); the store keeps the bytes as they are.
#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/model/hex.hpp"

namespace chainidx {

class Key {
  public:
    static constexpr size_t k_capacity = 64;

    Key() = default;
    // Throws DataError when `size` exceeds the capacity.
    Key(const uint8_t* data, size_t size);
    template <size_t N>
    Key(const std::array<uint8_t, N>& a) : Key(a.data(), N) {
        static_assert(N <= k_capacity);
    }
    static Key from_text(std::string_view text) {
        return Key(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    }

    const uint8_t* data() const { return m_bytes.data(); }
    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::string_view text() const {
        return {reinterpret_cast<const char*>(m_bytes.data()), m_size};
    }
    // The first N bytes as a fixed array (zero-filled past size()).
    template <size_t N>
    std::array<uint8_t, N> fixed() const {
        std::array<uint8_t, N> out{};
        std::copy_n(m_bytes.begin(), std::min<size_t>(N, m_size), out.begin());
        return out;
    }

    friend bool operator==(const Key& a, const Key& b) {
        return a.m_size == b.m_size && std::memcmp(a.data(), b.data(), a.m_size) == 0;
    }
    friend std::strong_ordering operator<=>(const Key& a, const Key& b) {
        int c = std::memcmp(a.data(), b.data(), std::min(a.m_size, b.m_size));
        if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
        return a.m_size <=> b.m_size;
    }

  private:
    uint8_t m_size = 0;
    std::array<uint8_t, k_capacity> m_bytes{};
};

}  // namespace chainidx
