#include "core/chain/solana/raw_block.hpp"

#include <simdjson.h>

#include "core/chain/raw_line.hpp"
#include "core/chain/solana/normalizer.hpp"
#include "core/model/base58.hpp"

namespace chainidx::solana {

namespace {

std::string b58(const Hash32& h) {
    return base58::encode(h.data(), h.size());
}

Hash32 hash_field(simdjson::dom::element doc, const char* name, const ndjson::Where& w) {
    std::string_view text;
    if (doc[name].get(text) != simdjson::SUCCESS)
        ndjson::fail(w, std::string("field \"") + name + "\" is missing or not a string");
    std::vector<uint8_t> bytes;
    try {
        if (text.size() <= 90) bytes = base58::decode(text, name);  // longer: junk
    } catch (const UsageError& e) {
        ndjson::fail(w, e.what());
    }
    if (bytes.size() != 32)
        ndjson::fail(w, std::string("field \"") + name + "\" is not 32 bytes in base58");
    return Key(bytes.data(), bytes.size()).fixed<32>();
}

}  // namespace

std::string raw_block_line(const std::string& chain, const BlockHeader& h,
                           std::string_view block_json) {
    nlohmann::ordered_json head{
        {"schema", k_raw_block_schema}, {"chain", chain},      {"slot", h.number},
        {"skipped", h.skipped},         {"hash", b58(h.hash)}, {"parent_hash", b58(h.parent_hash)}};
    std::string line = head.dump();
    if (block_json.empty()) return line;
    line.pop_back();  // the closing brace: the block follows verbatim
    line += ",\"block\":";
    line += block_json;
    line += '}';
    return line;
}

chain::Fetched normalize_raw_line(const std::string& line, const std::string& chain,
                                  const ndjson::Where& w) {
    simdjson::dom::parser parser;
    const simdjson::dom::element doc =
        ::chainidx::chain::open_raw_line(parser, line, chain, k_raw_block_schema, w);
    uint64_t slot = 0;
    bool skipped = false;
    if (doc["slot"].get(slot) != simdjson::SUCCESS)
        ndjson::fail(w, "field \"slot\" must be an integer >= 0");
    if (doc["skipped"].get(skipped) != simdjson::SUCCESS)
        ndjson::fail(w, "field \"skipped\" must be true or false");
    BlockHeader h;
    h.number = slot;
    h.skipped = skipped;
    h.hash = hash_field(doc, "hash", w);
    h.parent_hash = hash_field(doc, "parent_hash", w);
    chain::Fetched f;
    f.from = f.to = slot;
    simdjson::dom::element block;
    const bool has_block = doc["block"].get(block) == simdjson::SUCCESS;
    if (skipped) {
        if (has_block) ndjson::fail(w, "a skipped slot has no \"block\"");
        if (h.hash != h.parent_hash)
            ndjson::fail(w, "a skipped slot's hash and parent_hash must be equal");
        f.headers.push_back(h);
        return f;
    }
    if (!has_block || !block.is_object())
        ndjson::fail(w, "field \"block\" is missing or not an object");
    BlockHeader from_block;
    try {
        from_block = normalize_block(block, slot, "block", f);
    } catch (const Error& e) {
        ndjson::fail(w, e.what());
    }
    if (from_block.hash != h.hash || from_block.parent_hash != h.parent_hash)
        ndjson::fail(w,
                     "fields \"hash\" and \"parent_hash\" differ from the block's blockhash "
                     "and previousBlockhash");
    f.headers.push_back(from_block);
    return f;
}

}  // namespace chainidx::solana
