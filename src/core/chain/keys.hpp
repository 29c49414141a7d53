#pragma once
// How a chain family writes its identifiers, for output and for parsing user input. Each family
// implements a KeyCodec in its folder (its row in chain/families.cpp names it):
//   evm      accounts, tokens, txs as 0x-hex (20, 20, 32 bytes)
//   bitcoin  accounts as addresses or "script:<hex>" ids (stored as text), txids as plain hex,
//            the token is always the native coin, written "BTC"
//   solana   accounts, mints and signatures in base58; the native coin is written "SOL"
#include <string>
#include <string_view>

#include "core/chain/family.hpp"
#include "core/model/types.hpp"

namespace chainidx::chain {

class KeyCodec {
  public:
    virtual ~KeyCodec() = default;
    virtual std::string account(const Key& k) const = 0;
    virtual std::string token(const Key& k) const = 0;
    virtual std::string tx(const Key& k) const = 0;
    virtual std::string block_hash(const Hash32& h) const = 0;
    // Throw UsageError naming `what` (a flag or config key) when the text is not well formed.
    virtual Key parse_account(std::string_view text, const char* what) const = 0;
    virtual Key parse_token(std::string_view text, const char* what) const = 0;
    virtual Key parse_tx(std::string_view text, const char* what) const = 0;
    virtual Hash32 parse_block_hash(std::string_view text, const char* what) const = 0;
    // How the family writes a block hash, for config's genesis_hash: "64 lowercase hex digits".
    virtual const char* block_hash_form() const = 0;
    virtual bool is_block_hash_text(std::string_view text) const = 0;
};

// A family's codec by value: what commands and the pipeline hold.
class KeyFormat {
  public:
    explicit KeyFormat(Family family) : m_family(family), m_codec(&family_info(family).keys()) {}
    // A family's name as stored in the chains table; throws UsageError for an unknown one.
    explicit KeyFormat(std::string_view family) : KeyFormat(parse_family(family)) {}
    Family family() const { return m_family; }

    std::string account(const Key& k) const { return m_codec->account(k); }
    std::string token(const Key& k) const { return m_codec->token(k); }
    std::string tx(const Key& k) const { return m_codec->tx(k); }
    std::string block_hash(const Hash32& h) const { return m_codec->block_hash(h); }
    Key parse_account(std::string_view text, const char* what) const {
        return m_codec->parse_account(text, what);
    }
    Key parse_token(std::string_view text, const char* what) const {
        return m_codec->parse_token(text, what);
    }
    Key parse_tx(std::string_view text, const char* what) const {
        return m_codec->parse_tx(text, what);
    }
    Hash32 parse_block_hash(std::string_view text, const char* what) const {
        return m_codec->parse_block_hash(text, what);
    }

    // "chain:tx:index:leg" — the printable form of an event's identity.
    std::string event_id(const std::string& chain, const BalanceEvent& e) const;

  private:
    Family m_family;
    const KeyCodec* m_codec;
};

// Shared by the families' codecs: bytes of an exact size from base58 or hex text, or a
// UsageError naming `what` and the size expected.
Key base58_key(std::string_view text, size_t size, const char* what);
Key hex_key(std::string_view text, size_t size, const char* what);
std::string base58_text(const Key& k);

}  // namespace chainidx::chain
