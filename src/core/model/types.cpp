#include "core/model/types.hpp"

#include "core/model/errors.hpp"

namespace chainidx {

const char* finality_name(Finality f) {
    switch (f) {
        case Finality::pending:
            return "pending";
        case Finality::safe:
            return "safe";
        case Finality::finalized:
            return "finalized";
    }
    return "?";
}

Finality parse_finality(const std::string& name) {
    if (name == "pending" || name == "latest") return Finality::pending;
    if (name == "safe") return Finality::safe;
    if (name == "finalized") return Finality::finalized;
    throw UsageError("unknown finality stage \"" + name +
                     "\" (expected pending, safe or finalized)");
}

Key::Key(const uint8_t* data, size_t size) {
    if (size > k_capacity)
        throw DataError("an identifier of " + std::to_string(size) + " bytes is longer than " +
                        std::to_string(k_capacity) + " bytes");
    m_size = static_cast<uint8_t>(size);
    std::copy_n(data, size, m_bytes.begin());
}

}  // namespace chainidx
