#include "core/chain/raw_line.hpp"

namespace chainidx::chain {

simdjson::dom::element open_raw_line(simdjson::dom::parser& parser, const std::string& text,
                                     const std::string& chain, const char* schema,
                                     const ndjson::Where& w) {
    simdjson::dom::element doc;
    if (auto err = parser.parse(text).get(doc))
        ndjson::fail(w, std::string("not valid JSON (") + simdjson::error_message(err) + ")");
    std::string_view got_schema, name;
    if (doc["schema"].get(got_schema) != simdjson::SUCCESS || got_schema != schema)
        ndjson::fail(w, std::string("field \"schema\" must be \"") + schema + "\"");
    if (doc["chain"].get(name) != simdjson::SUCCESS || name != chain)
        ndjson::fail(w, "field \"chain\" must be \"" + chain + "\" (the --chain given)");
    return doc;
}

}  // namespace chainidx::chain
