#pragma once
// Shared between the store's .cpp files only.
#include <pqxx/pqxx>

#include "core/store/store.hpp"

namespace chainidx::store {

struct Store::Impl {
    std::unique_ptr<pqxx::connection> conn;
    std::string display_url;
    bool staging_ready = false;
};

// '\x…' text for a bytea parameter.
std::string bytea_param(const uint8_t* data, size_t size);
template <size_t N>
std::string bytea_param(const std::array<uint8_t, N>& a) {
    return bytea_param(a.data(), N);
}
// SQL that takes a per-chain transaction lock, so writers of one chain apply deltas in turn.
inline constexpr const char* k_chain_xact_lock =
    "SELECT pg_advisory_xact_lock(hashtext('chainidx.write.' || $1))";

}  // namespace chainidx::store
