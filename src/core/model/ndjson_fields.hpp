#pragma once
// Reading NDJSON records with errors that say where: "SOURCE:LINE: what is wrong" (UsageError).
#include <array>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "core/model/errors.hpp"
#include "core/model/hex.hpp"

namespace chainidx::ndjson {

struct Where {
    const std::string& source;
    uint64_t line;
};

[[noreturn]] void fail(const Where& w, const std::string& what);
nlohmann::json parse_line(const std::string& text, const Where& w);
const nlohmann::json& field(const nlohmann::json& j, const char* name, const Where& w);
std::string str(const nlohmann::json& j, const char* name, const Where& w);
uint64_t uint(const nlohmann::json& j, const char* name, const Where& w);
// Checks "schema" is one of `schemas` and "chain" is `chain`.
void check_schema_and_chain(const nlohmann::json& j, const std::string& chain, const Where& w,
                            std::initializer_list<const char*> schemas);

template <size_t N>
std::array<uint8_t, N> fixed(const nlohmann::json& j, const char* name, const Where& w) {
    std::string s = str(j, name, w);
    try {
        return hex::decode_fixed<N>(s, name);
    } catch (const UsageError& e) {
        fail(w, e.what());
    }
}

}  // namespace chainidx::ndjson
