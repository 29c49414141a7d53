#include "core/pipeline/ndjson.hpp"

namespace chainidx::pipeline {

using nlohmann::ordered_json;
using namespace chainidx::ndjson;

namespace {

// Parses an identifier field with `parse` (a KeyFormat member), errors at SOURCE:LINE.
template <class Parse>
auto key_field(const nlohmann::json& j, const char* name, const Where& w, Parse&& parse) {
    std::string s = str(j, name, w);
    try {
        return parse(s, name);
    } catch (const UsageError& e) {
        fail(w, e.what());
    }
}

BlockHeader header_of(const nlohmann::json& j, const chain::KeyFormat& keys, const Where& w) {
    auto hash = [&](std::string_view s, const char* n) { return keys.parse_block_hash(s, n); };
    BlockHeader h;
    h.number = uint(j, "number", w);
    h.hash = key_field(j, "hash", w, hash);
    h.parent_hash = key_field(j, "parent_hash", w, hash);
    h.timestamp = uint(j, "timestamp", w);
    auto skipped = j.find("skipped");
    if (skipped != j.end()) {
        if (!skipped->is_boolean()) fail(w, "field \"skipped\" must be true or false");
        h.skipped = skipped->get<bool>();
    }
    return h;
}

}  // namespace

std::string block_line(const std::string& chain, const chain::KeyFormat& keys,
                       const BlockHeader& h) {
    ordered_json j{{"schema", k_block_schema},
                   {"chain", chain},
                   {"number", h.number},
                   {"hash", keys.block_hash(h.hash)},
                   {"parent_hash", keys.block_hash(h.parent_hash)},
                   {"timestamp", h.timestamp}};
    if (h.skipped) j["skipped"] = true;
    return j.dump();
}

std::string event_line(const std::string& chain, const chain::KeyFormat& keys,
                       const BalanceEvent& e) {
    ordered_json j{{"schema", k_event_schema},
                   {"chain", chain},
                   {"block", e.block_number},
                   {"block_hash", keys.block_hash(e.block_hash)},
                   {"tx", keys.tx(e.tx)},
                   {"index", e.event_index},
                   {"leg", e.leg},
                   {"token", keys.token(e.token)},
                   {"account", keys.account(e.account)},
                   {"delta", e.delta.to_decimal()},
                   {"id", keys.event_id(chain, e)}};
    return j.dump();
}

ParsedRecord parse_event_record(const std::string& text, const std::string& chain,
                                const chain::KeyFormat& keys, const Where& w) {
    nlohmann::json j = parse_line(text, w);
    check_schema_and_chain(j, chain, w, {k_block_schema, k_event_schema});
    ParsedRecord r;
    if (j["schema"] == k_block_schema) {
        r.is_block = true;
        r.header = header_of(j, keys, w);
        if (std::string why = unstorable(r.header); !why.empty()) fail(w, why);
        return r;
    }
    BalanceEvent& e = r.event;
    e.block_number = uint(j, "block", w);
    e.block_hash = key_field(j, "block_hash", w, [&](std::string_view s, const char* n) {
        return keys.parse_block_hash(s, n);
    });
    e.tx = key_field(j, "tx", w,
                     [&](std::string_view s, const char* n) { return keys.parse_tx(s, n); });
    uint64_t index = uint(j, "index", w);
    if (index > k_max_event_index)
        fail(w, "field \"index\" is " + std::to_string(index) + ", above " +
                    std::to_string(k_max_event_index) +
                    ", the largest event index the database holds (integer)");
    e.event_index = static_cast<uint32_t>(index);
    uint64_t leg = uint(j, "leg", w);
    if (leg > 2) fail(w, "leg must be 0, 1 or 2");
    e.leg = static_cast<uint8_t>(leg);
    e.token = key_field(j, "token", w,
                        [&](std::string_view s, const char* n) { return keys.parse_token(s, n); });
    e.account = key_field(j, "account", w, [&](std::string_view s, const char* n) {
        return keys.parse_account(s, n);
    });
    try {
        e.delta = Amount::from_decimal(str(j, "delta", w));
    } catch (const UsageError& ex) {
        fail(w, ex.what());
    }
    if (std::string why = unstorable(e); !why.empty()) fail(w, why);
    return r;
}

}  // namespace chainidx::pipeline
