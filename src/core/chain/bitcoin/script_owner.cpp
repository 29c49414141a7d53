#include "core/chain/bitcoin/script_owner.hpp"

#include <openssl/sha.h>

#include "core/model/hex.hpp"

namespace chainidx::bitcoin {

std::string script_id(std::string_view script_hex) {
    std::vector<uint8_t> script = hex::decode_bytes(script_hex, "scriptPubKey.hex");
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(script.data(), script.size(), digest);
    return "script:" + hex::encode(digest, 20).substr(2);
}

}  // namespace chainidx::bitcoin
