#include "core/chain/keys.hpp"

#include "core/model/base58.hpp"
#include "core/model/errors.hpp"

namespace chainidx::chain {

Family parse_family(const std::string& name) {
    if (name == "evm") return Family::evm;
    if (name == "bitcoin") return Family::bitcoin;
    if (name == "solana") return Family::solana;
    throw UsageError("unknown chain family \"" + name + "\" (expected evm, bitcoin or solana)");
}

const char* family_name(Family f) {
    switch (f) {
        case Family::evm:
            return "evm";
        case Family::bitcoin:
            return "bitcoin";
        case Family::solana:
            return "solana";
    }
    return "?";
}

namespace {

std::string b58(const Key& k) {
    return base58::encode(k.data(), k.size());
}

Key b58_key(std::string_view text, size_t size, const char* what) {
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

}  // namespace

bool is_bitcoin_account_text(std::string_view text) {
    bool printable = !text.empty() && text.size() <= Key::k_capacity;
    for (char c : text) printable = printable && c > ' ' && c < 127;
    return printable;
}

std::string KeyFormat::account(const Key& k) const {
    switch (m_family) {
        case Family::evm:
            return hex::encode(k.data(), k.size());
        case Family::bitcoin:
            return std::string(k.text());
        case Family::solana:
            return b58(k);
    }
    return {};
}

std::string KeyFormat::token(const Key& k) const {
    if (k.empty())
        return m_family == Family::bitcoin ? "BTC" : m_family == Family::solana ? "SOL" : "";
    return m_family == Family::evm ? hex::encode(k.data(), k.size()) : b58(k);
}

std::string KeyFormat::tx(const Key& k) const {
    switch (m_family) {
        case Family::evm:
            return hex::encode(k.data(), k.size());
        case Family::bitcoin:
            return hex::encode(k.data(), k.size()).substr(2);
        case Family::solana:
            return b58(k);
    }
    return {};
}

Key KeyFormat::parse_account(std::string_view text, const char* what) const {
    switch (m_family) {
        case Family::evm:
            return Key(parse_address(text, what));
        case Family::bitcoin: {
            if (!is_bitcoin_account_text(text))
                throw UsageError(std::string(what) + ": \"" + std::string(text) +
                                 "\" is not a Bitcoin address or script id");
            return Key::from_text(text);
        }
        case Family::solana:
            return b58_key(text, 32, what);
    }
    return {};
}

Key KeyFormat::parse_token(std::string_view text, const char* what) const {
    switch (m_family) {
        case Family::evm:
            return Key(parse_address(text, what));
        case Family::bitcoin:
            if (text == "BTC") return Key();
            throw UsageError(std::string(what) + ": a Bitcoin chain has one token, BTC (got \"" +
                             std::string(text) + "\")");
        case Family::solana:
            if (text == "SOL") return Key();
            return b58_key(text, 32, what);
    }
    return {};
}

Key KeyFormat::parse_tx(std::string_view text, const char* what) const {
    switch (m_family) {
        case Family::evm:
        case Family::bitcoin:
            return hex_key(text, 32, what);
        case Family::solana: {
            // A signature (64 bytes), or a block hash (32): the "tx" of a block's rewards.
            auto bytes = base58::decode(text, what);
            if (bytes.size() != 64 && bytes.size() != 32)
                throw UsageError(std::string(what) + ": \"" + std::string(text) + "\" is " +
                                 std::to_string(bytes.size()) +
                                 " bytes in base58, expected a 64-byte signature or a 32-byte "
                                 "block hash");
            return Key(bytes.data(), bytes.size());
        }
    }
    return {};
}

std::string KeyFormat::block_hash(const Hash32& h) const {
    return m_family == Family::solana    ? tx(Key(h))
           : m_family == Family::bitcoin ? tx(Key(h))
                                         : hex::encode(h);
}

Hash32 KeyFormat::parse_block_hash(std::string_view text, const char* what) const {
    if (m_family == Family::solana) return b58_key(text, 32, what).fixed<32>();
    return hex_key(text, 32, what).fixed<32>();
}

std::string KeyFormat::event_id(const std::string& chain, const BalanceEvent& e) const {
    return chain + ":" + tx(e.tx) + ":" + std::to_string(e.event_index) + ":" +
           std::to_string(e.leg);
}

}  // namespace chainidx::chain
