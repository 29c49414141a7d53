#include "core/chain/keys.hpp"

#include "core/model/base58.hpp"
#include "core/model/errors.hpp"

namespace chainidx::chain {

std::string KeyFormat::event_id(const std::string& chain, const BalanceEvent& e) const {
    return chain + ":" + tx(e.tx) + ":" + std::to_string(e.event_index) + ":" +
           std::to_string(e.leg);
}

std::string base58_text(const Key& k) {
    return base58::encode(k.data(), k.size());
}

Key base58_key(std::string_view text, size_t size, const char* what) {
    auto bytes = base58::decode(text, what);
    if (bytes.size() != size)
        throw UsageError(std::string(what) + ": \"" + std::string(text) + "\" is " +
                         std::to_string(bytes.size()) + " bytes in base58, expected " +
                         std::to_string(size));
    return Key(bytes.data(), bytes.size());
}

Key hex_key(std::string_view text, size_t size, const char* what) {
    auto bytes = hex::decode_bytes(text, what);
    if (bytes.size() != size)
        throw UsageError(std::string(what) + ": \"" + std::string(text) + "\" must be " +
                         std::to_string(size) + " bytes of hex");
    return Key(bytes.data(), bytes.size());
}

}  // namespace chainidx::chain
