#include "core/pipeline/ndjson.hpp"

#include <nlohmann/json.hpp>

#include "core/model/errors.hpp"

namespace chainidx::pipeline {

using nlohmann::ordered_json;

namespace {

std::string hx(const uint8_t* d, size_t n) {
    return hex::encode(d, n);
}
template <size_t N>
std::string hx(const std::array<uint8_t, N>& a) {
    return hex::encode(a);
}

[[noreturn]] void fail(const Where& w, const std::string& what) {
    throw UsageError(w.source + ":" + std::to_string(w.line) + ": " + what);
}

nlohmann::json parse_line(const std::string& text, const Where& w) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        fail(w, std::string("not valid JSON (") + e.what() + ")");
    }
}

const nlohmann::json& field(const nlohmann::json& j, const char* name, const Where& w) {
    auto it = j.find(name);
    if (it == j.end()) fail(w, std::string("missing field \"") + name + "\"");
    return *it;
}

std::string str(const nlohmann::json& j, const char* name, const Where& w) {
    const auto& v = field(j, name, w);
    if (!v.is_string()) fail(w, std::string("field \"") + name + "\" must be a string");
    return v.get<std::string>();
}

uint64_t uint(const nlohmann::json& j, const char* name, const Where& w) {
    const auto& v = field(j, name, w);
    if (!v.is_number_unsigned())
        fail(w, std::string("field \"") + name + "\" must be an integer >= 0");
    return v.get<uint64_t>();
}

template <size_t N>
std::array<uint8_t, N> fixed(const nlohmann::json& j, const char* name, const Where& w) {
    std::string s = str(j, name, w);
    try {
        return hex::decode_fixed<N>(s, name);
    } catch (const UsageError& e) {
        fail(w, e.what());
    }
}

void check_schema_and_chain(const nlohmann::json& j, const std::string& chain, const Where& w,
                            std::initializer_list<const char*> schemas) {
    if (!j.is_object()) fail(w, "a record must be a JSON object");
    std::string schema = str(j, "schema", w);
    bool known = false;
    for (const char* s : schemas) known = known || schema == s;
    if (!known) fail(w, "unknown schema \"" + schema + "\"");
    std::string c = str(j, "chain", w);
    if (c != chain) fail(w, "record of chain \"" + c + "\", but --chain is \"" + chain + "\"");
}

BlockHeader header_of(const nlohmann::json& j, const Where& w) {
    BlockHeader h;
    h.number = uint(j, "number", w);
    h.hash = fixed<32>(j, "hash", w);
    h.parent_hash = fixed<32>(j, "parent_hash", w);
    h.timestamp = uint(j, "timestamp", w);
    return h;
}

}  // namespace

std::string raw_block_line(const std::string& chain, const RawBlock& b) {
    ordered_json logs = ordered_json::array();
    for (const RawLog& l : b.logs) {
        ordered_json topics = ordered_json::array();
        for (size_t i = 0; i < std::min<size_t>(l.topic_count, 4); ++i)
            topics.push_back(hx(l.topics[i]));
        logs.push_back({{"tx", hx(l.tx_hash)},
                        {"log_index", l.log_index},
                        {"address", hx(l.address)},
                        {"topics", std::move(topics)},
                        {"data", hx(l.data.data(), l.data.size())}});
    }
    ordered_json j{{"schema", k_raw_block_schema},
                   {"chain", chain},
                   {"number", b.header.number},
                   {"hash", hx(b.header.hash)},
                   {"parent_hash", hx(b.header.parent_hash)},
                   {"timestamp", b.header.timestamp},
                   {"logs", std::move(logs)}};
    return j.dump();
}

std::string block_line(const std::string& chain, const BlockHeader& h) {
    ordered_json j{{"schema", k_block_schema},
                   {"chain", chain},
                   {"number", h.number},
                   {"hash", hx(h.hash)},
                   {"parent_hash", hx(h.parent_hash)},
                   {"timestamp", h.timestamp}};
    return j.dump();
}

std::string event_line(const std::string& chain, const BalanceEvent& e) {
    ordered_json j{{"schema", k_event_schema},
                   {"chain", chain},
                   {"block", e.block_number},
                   {"block_hash", hx(e.block_hash)},
                   {"tx", hx(e.tx_hash)},
                   {"index", e.event_index},
                   {"leg", e.leg},
                   {"token", hx(e.token)},
                   {"account", hx(e.account)},
                   {"delta", e.delta.to_decimal()},
                   {"id", event_id(chain, e)}};
    return j.dump();
}

RawBlock parse_raw_block(const std::string& text, const std::string& chain, const Where& w) {
    nlohmann::json j = parse_line(text, w);
    check_schema_and_chain(j, chain, w, {k_raw_block_schema});
    RawBlock b;
    b.header = header_of(j, w);
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

ParsedRecord parse_event_record(const std::string& text, const std::string& chain, const Where& w) {
    nlohmann::json j = parse_line(text, w);
    check_schema_and_chain(j, chain, w, {k_block_schema, k_event_schema});
    ParsedRecord r;
    if (j["schema"] == k_block_schema) {
        r.is_block = true;
        r.header = header_of(j, w);
        return r;
    }
    BalanceEvent& e = r.event;
    e.block_number = uint(j, "block", w);
    e.block_hash = fixed<32>(j, "block_hash", w);
    e.tx_hash = fixed<32>(j, "tx", w);
    uint64_t index = uint(j, "index", w);
    if (index > UINT32_MAX) fail(w, "index out of range");
    e.event_index = static_cast<uint32_t>(index);
    uint64_t leg = uint(j, "leg", w);
    if (leg > 1) fail(w, "leg must be 0 (debit) or 1 (credit)");
    e.leg = static_cast<uint8_t>(leg);
    e.token = fixed<20>(j, "token", w);
    e.account = fixed<20>(j, "account", w);
    try {
        e.delta = Amount::from_decimal(str(j, "delta", w));
    } catch (const UsageError& ex) {
        fail(w, ex.what());
    }
    return r;
}

}  // namespace chainidx::pipeline
