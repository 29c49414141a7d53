#include "core/chain/evm/evm_family.hpp"

#include "core/chain/evm/evm_adapter.hpp"
#include "core/config/config.hpp"

namespace chainidx::evm {

namespace {

// 0x-hex throughout: addresses (accounts and tokens) of 20 bytes, tx and block hashes of 32.
class EvmKeys final : public chain::KeyCodec {
  public:
    std::string account(const Key& k) const override { return hex::encode(k.data(), k.size()); }
    std::string token(const Key& k) const override {
        return k.empty() ? "" : hex::encode(k.data(), k.size());
    }
    std::string tx(const Key& k) const override { return hex::encode(k.data(), k.size()); }
    std::string block_hash(const Hash32& h) const override { return hex::encode(h); }
    Key parse_account(std::string_view text, const char* what) const override {
        return Key(parse_address(text, what));
    }
    Key parse_token(std::string_view text, const char* what) const override {
        return Key(parse_address(text, what));
    }
    Key parse_tx(std::string_view text, const char* what) const override {
        return chain::hex_key(text, 32, what);
    }
    Hash32 parse_block_hash(std::string_view text, const char* what) const override {
        return chain::hex_key(text, 32, what).fixed<32>();
    }
    const char* block_hash_form() const override { return "0x and 64 hex digits"; }
    bool is_block_hash_text(std::string_view text) const override {
        return text.size() == 66 && text.substr(0, 2) == "0x" &&
               text.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string_view::npos;
    }
};

}  // namespace

const chain::KeyCodec& keys() {
    static const EvmKeys k_keys;
    return k_keys;
}

// EVM's defaults are every family's (config.cpp's default_chain).
void apply_defaults(config::ChainConfig&) {}

std::unique_ptr<chain::ChainAdapter> new_adapter(const config::ChainConfig& c) {
    return std::make_unique<EvmAdapter>(c);
}

}  // namespace chainidx::evm
