#pragma once
// How each chain family writes its identifiers, for output and for parsing user input:
//   evm      accounts, tokens, txs as 0x-hex (20, 20, 32 bytes)
//   bitcoin  accounts as addresses or "script:<hex>" ids (stored as text), txids as plain hex,
//            the token is always the native coin, written "BTC"
//   solana   accounts, mints and signatures in base58; the native coin is written "SOL"
#include <string>
#include <string_view>

#include "core/model/types.hpp"

namespace chainidx::chain {

enum class Family { evm, bitcoin, solana };
// Throws UsageError for an unknown name.
Family parse_family(const std::string& name);
const char* family_name(Family f);

// What a Bitcoin account may be written as: 1 to Key::k_capacity printable ASCII characters
// (an address, or a "script:<hex>" id). The normalizer keeps to it, parse_account checks it.
bool is_bitcoin_account_text(std::string_view text);

class KeyFormat {
  public:
    explicit KeyFormat(Family family) : m_family(family) {}
    explicit KeyFormat(const std::string& family) : m_family(parse_family(family)) {}
    Family family() const { return m_family; }

    std::string account(const Key& k) const;
    std::string token(const Key& k) const;
    std::string tx(const Key& k) const;
    std::string block_hash(const Hash32& h) const;
    // Throw UsageError naming `what` (a flag or config key) when the text is not well formed.
    Key parse_account(std::string_view text, const char* what) const;
    Key parse_token(std::string_view text, const char* what) const;
    Key parse_tx(std::string_view text, const char* what) const;
    Hash32 parse_block_hash(std::string_view text, const char* what) const;

    // "chain:tx:index:leg" — the printable form of an event's identity.
    std::string event_id(const std::string& chain, const BalanceEvent& e) const;

  private:
    Family m_family;
};

}  // namespace chainidx::chain
