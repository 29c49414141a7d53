#include "core/chain/bitcoin/raw_block.hpp"

#include "core/chain/bitcoin/normalizer.hpp"
#include "core/chain/keys.hpp"
#include "core/chain/raw_line.hpp"
#include "core/rpc/exact_numbers.hpp"

namespace chainidx::bitcoin {

std::string raw_block_line(const std::string& chain, const BlockHeader& h,
                           simdjson::dom::element block) {
    const chain::KeyFormat keys(chain::Family::bitcoin);
    nlohmann::ordered_json head{{"schema", k_raw_block_schema},
                                {"chain", chain},
                                {"number", h.number},
                                {"hash", keys.block_hash(h.hash)}};
    std::string line = head.dump();
    line.pop_back();  // the closing brace: the block follows verbatim
    line += ",\"block\":";
    line += simdjson::to_string(block);
    line += '}';
    return line;
}

chain::Fetched normalize_raw_line(const std::string& line, const std::string& chain,
                                  const ndjson::Where& w) {
    // Fractional numbers become their exact text, as from the node.
    const std::string text = rpc::quote_fractional_numbers(line);
    simdjson::dom::parser parser;
    const simdjson::dom::element doc =
        ::chainidx::chain::open_raw_line(parser, text, chain, k_raw_block_schema, w);
    simdjson::dom::element block;
    if (doc["block"].get(block) != simdjson::SUCCESS || !block.is_object())
        ndjson::fail(w, "field \"block\" is missing or not an object");
    chain::Fetched f;
    try {
        normalize_block(block, "block", f);
    } catch (const Error& e) {
        ndjson::fail(w, e.what());
    }
    f.from = f.to = f.headers.front().number;
    return f;
}

}  // namespace chainidx::bitcoin
