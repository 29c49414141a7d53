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

namespace {
std::string above(const std::string& what, uint64_t value, uint64_t max, const char* column) {
    return what + " " + std::to_string(value) + " is above " + std::to_string(max) +
           ", the largest the database holds (" + column + ")";
}
}  // namespace

std::string event_id_bytes(const BalanceEvent& e) {
    std::string k(reinterpret_cast<const char*>(e.tx.data()), e.tx.size());
    k.append(reinterpret_cast<const char*>(&e.event_index), sizeof e.event_index);
    k.push_back(static_cast<char>(e.leg));
    return k;
}

std::string unstorable(const BlockHeader& h) {
    if (h.number > k_max_block_number)
        return above("block number", h.number, k_max_block_number, "bigint");
    if (h.timestamp > k_max_timestamp)
        return above("the timestamp of block " + std::to_string(h.number) + ",", h.timestamp,
                     k_max_timestamp, "bigint");
    return {};
}

std::string unstorable(const BalanceEvent& e) {
    if (e.block_number > k_max_block_number)
        return above("block number", e.block_number, k_max_block_number, "bigint");
    if (e.event_index > k_max_event_index)
        return above("an event index of block " + std::to_string(e.block_number) + ",",
                     e.event_index, k_max_event_index, "integer");
    return {};
}

Key::Key(const uint8_t* data, size_t size) {
    if (size > k_capacity)
        throw DataError("an identifier of " + std::to_string(size) + " bytes is longer than " +
                        std::to_string(k_capacity) + " bytes");
    m_size = static_cast<uint8_t>(size);
    std::copy_n(data, size, m_bytes.begin());
}

}  // namespace chainidx
