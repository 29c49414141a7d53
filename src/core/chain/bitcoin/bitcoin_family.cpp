#include "core/chain/bitcoin/bitcoin_family.hpp"

#include "core/chain/bitcoin/bitcoin_adapter.hpp"
#include "core/config/config.hpp"
#include "core/model/errors.hpp"

namespace chainidx::bitcoin {

namespace {

// Accounts are addresses or "script:<hex>" ids, stored as their text; txids and block hashes are
// plain hex (no 0x); the one token is the coin itself, written BTC.
class BitcoinKeys final : public chain::KeyCodec {
  public:
    std::string account(const Key& k) const override { return std::string(k.text()); }
    std::string token(const Key& k) const override {
        return k.empty() ? "BTC" : chain::base58_text(k);
    }
    std::string tx(const Key& k) const override {
        return hex::encode(k.data(), k.size()).substr(2);
    }
    std::string block_hash(const Hash32& h) const override { return tx(Key(h)); }
    Key parse_account(std::string_view text, const char* what) const override {
        if (!is_account_text(text))
            throw UsageError(std::string(what) + ": \"" + std::string(text) +
                             "\" is not a Bitcoin address or script id");
        return Key::from_text(text);
    }
    Key parse_token(std::string_view text, const char* what) const override {
        if (text == "BTC") return Key();
        throw UsageError(std::string(what) + ": a Bitcoin chain has one token, BTC (got \"" +
                         std::string(text) + "\")");
    }
    Key parse_tx(std::string_view text, const char* what) const override {
        return chain::hex_key(text, 32, what);
    }
    Hash32 parse_block_hash(std::string_view text, const char* what) const override {
        return chain::hex_key(text, 32, what).fixed<32>();
    }
    const char* block_hash_form() const override { return "64 lowercase hex digits"; }
    bool is_block_hash_text(std::string_view text) const override {
        return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
    }
};

}  // namespace

bool is_account_text(std::string_view text) {
    bool printable = !text.empty() && text.size() <= Key::k_capacity;
    for (char c : text) printable = printable && c > ' ' && c < 127;
    return printable;
}

const chain::KeyCodec& keys() {
    static const BitcoinKeys k_keys;
    return k_keys;
}

void apply_defaults(config::ChainConfig& c) {
    // Mainnet's block 0: a node serving testnet or signet is refused unless configured.
    config::set_family_default(
        c, c.genesis_hash,
        std::string("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"));
    config::set_family_default(c, c.finality, std::string("depth"));
    config::set_family_default(c, c.finality_depth, uint64_t(6));
    config::set_family_default(c, c.confirmations, uint64_t(0));
    config::set_family_default(c, c.batch_blocks, uint64_t(20));
}

std::unique_ptr<chain::ChainAdapter> new_adapter(const config::ChainConfig& c) {
    return std::make_unique<BitcoinAdapter>(c);
}

}  // namespace chainidx::bitcoin
