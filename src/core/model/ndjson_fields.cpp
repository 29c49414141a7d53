#include "core/model/ndjson_fields.hpp"

namespace chainidx::ndjson {

void fail(const Where& w, const std::string& what) {
    throw UsageError(w.source + ":" + std::to_string(w.line) + ": " + what);
}

nlohmann::json parse_line(const std::string& text, const Where& w) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, out_of_range (1E400)
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

}  // namespace chainidx::ndjson
