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

std::string event_id(const std::string& chain, const BalanceEvent& e) {
    return chain + ":" + hex::encode(e.tx_hash) + ":" + std::to_string(e.event_index) + ":" +
           std::to_string(e.leg);
}

}  // namespace chainidx
