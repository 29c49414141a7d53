#include "core/chain/evm/raw_block.hpp"

namespace chainidx::evm {

using nlohmann::ordered_json;
using namespace chainidx::ndjson;

ordered_json raw_log_json(const RawLog& l) {
    ordered_json topics = ordered_json::array();
    for (size_t i = 0; i < std::min<size_t>(l.topic_count, 4); ++i)
        topics.push_back(hex::encode(l.topics[i]));
    return {{"tx", hex::encode(l.tx_hash)},
            {"log_index", l.log_index},
            {"address", hex::encode(l.address)},
            {"topics", std::move(topics)},
            {"data", hex::encode(l.data.data(), l.data.size())}};
}

std::string raw_block_line(const std::string& chain, const RawBlock& b) {
    ordered_json logs = ordered_json::array();
    for (const RawLog& l : b.logs) logs.push_back(raw_log_json(l));
    ordered_json j{{"schema", k_raw_block_schema},
                   {"chain", chain},
                   {"number", b.header.number},
                   {"hash", hex::encode(b.header.hash)},
                   {"parent_hash", hex::encode(b.header.parent_hash)},
                   {"timestamp", b.header.timestamp},
                   {"logs", std::move(logs)}};
    return j.dump();
}

RawBlock parse_raw_block(const std::string& text, const std::string& chain, const Where& w) {
    nlohmann::json j = parse_line(text, w);
    check_schema_and_chain(j, chain, w, {k_raw_block_schema});
    RawBlock b;
    b.header.number = uint(j, "number", w);
    b.header.hash = fixed<32>(j, "hash", w);
    b.header.parent_hash = fixed<32>(j, "parent_hash", w);
    b.header.timestamp = uint(j, "timestamp", w);
    const auto& logs = field(j, "logs", w);
    if (!logs.is_array()) fail(w, "field \"logs\" must be an array");
    for (const auto& lj : logs) {
        if (!lj.is_object()) fail(w, "a log must be an object");
        RawLog l;
        l.block_number = b.header.number;
        l.block_hash = b.header.hash;
        l.tx_hash = fixed<32>(lj, "tx", w);
        uint64_t index = uint(lj, "log_index", w);
        if (index > UINT32_MAX) fail(w, "log_index out of range");
        l.log_index = static_cast<uint32_t>(index);
        l.address = fixed<20>(lj, "address", w);
        const auto& topics = field(lj, "topics", w);
        if (!topics.is_array()) fail(w, "field \"topics\" must be an array");
        l.topic_count = static_cast<uint8_t>(std::min<size_t>(topics.size(), 255));
        size_t i = 0;
        for (const auto& t : topics) {
            if (i == 4) break;
            if (!t.is_string()) fail(w, "a topic must be a string");
            try {
                l.topics[i++] = hex::decode_fixed<32>(t.get<std::string>(), "topic");
            } catch (const UsageError& e) {
                fail(w, e.what());
            }
        }
        try {
            l.data = hex::decode_bytes(str(lj, "data", w), "data");
        } catch (const UsageError& e) {
            fail(w, e.what());
        }
        b.logs.push_back(std::move(l));
    }
    return b;
}

}  // namespace chainidx::evm
