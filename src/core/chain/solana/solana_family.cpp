#include "core/chain/solana/solana_family.hpp"

#include "core/chain/solana/solana_adapter.hpp"
#include "core/config/config.hpp"
#include "core/model/base58.hpp"
#include "core/model/errors.hpp"

namespace chainidx::solana {

namespace {

// Base58 throughout: accounts and mints of 32 bytes, signatures of 64; the native coin is SOL.
class SolanaKeys final : public chain::KeyCodec {
  public:
    std::string account(const Key& k) const override { return chain::base58_text(k); }
    std::string token(const Key& k) const override {
        return k.empty() ? "SOL" : chain::base58_text(k);
    }
    std::string tx(const Key& k) const override { return chain::base58_text(k); }
    std::string block_hash(const Hash32& h) const override { return chain::base58_text(Key(h)); }
    Key parse_account(std::string_view text, const char* what) const override {
        return chain::base58_key(text, 32, what);
    }
    Key parse_token(std::string_view text, const char* what) const override {
        if (text == "SOL") return Key();
        return chain::base58_key(text, 32, what);
    }
    Key parse_tx(std::string_view text, const char* what) const override {
        // A signature (64 bytes), or a block hash (32): the "tx" of a block's rewards.
        auto bytes = base58::decode(text, what);
        if (bytes.size() != 64 && bytes.size() != 32)
            throw UsageError(std::string(what) + ": \"" + std::string(text) + "\" is " +
                             std::to_string(bytes.size()) +
                             " bytes in base58, expected a 64-byte signature or a 32-byte "
                             "block hash");
        return Key(bytes.data(), bytes.size());
    }
    Hash32 parse_block_hash(std::string_view text, const char* what) const override {
        return chain::base58_key(text, 32, what).fixed<32>();
    }
    const char* block_hash_form() const override { return "32 bytes in base58"; }
    bool is_block_hash_text(std::string_view text) const override {
        try {
            return base58::decode(text, "genesis_hash").size() == 32;
        } catch (const UsageError&) {
            return false;  // a character outside the alphabet
        }
    }
};

}  // namespace

const chain::KeyCodec& keys() {
    static const SolanaKeys k_keys;
    return k_keys;
}

void apply_defaults(config::ChainConfig& c) {
    config::set_family_default(c, c.finality, std::string("tags"));
    config::set_family_default(c, c.finality_depth, uint64_t(32));
    config::set_family_default(c, c.batch_blocks, uint64_t(50));
}

std::unique_ptr<chain::ChainAdapter> new_adapter(const config::ChainConfig& c) {
    return std::make_unique<SolanaAdapter>(c);
}

}  // namespace chainidx::solana
