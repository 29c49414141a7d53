#pragma once
// Shared between the store's .cpp files only.
#include <pqxx/pqxx>
#include <set>

#include "core/store/store.hpp"

namespace chainidx::store {

struct Store::Impl {
    std::unique_ptr<pqxx::connection> conn;
    std::string url;  // kept to reconnect; never printed (display_url is)
    std::string application_name;
    std::string display_url;
    bool staging_ready = false;
    std::set<std::string> follower_locks;  // re-taken after a reconnect

    void connect();
    // Runs `fn`; when the connection to PostgreSQL breaks (a restart, a failover), reconnects
    // with backoff and runs it again. Only for idempotent work: a transaction that broke was
    // rolled back, or committed in full (then running it again changes nothing).
    template <class Fn>
    auto retrying(const char* what, Fn&& fn) -> decltype(fn()) {
        for (int attempt = 1;; ++attempt) {
            try {
                if (!conn) connect();
                return fn();
            } catch (const std::exception& e) {
                if (!connection_lost(e) || attempt >= k_reconnect_attempts) throw;
                reconnect_after(what, e, attempt);
            }
        }
    }
    static constexpr int k_reconnect_attempts = 8;  // ~1+2+4+5*5 s: a restart, not an outage
    static bool connection_lost(const std::exception& e);
    void reconnect_after(const char* what, const std::exception& e, int attempt);
};

// The first line of PostgreSQL's message of `e`, without libpq's "ERROR:  ".
std::string postgres_message(const pqxx::sql_error& e);
// PostgreSQL's insufficient_privilege (42501). libpqxx 6.4 leaves sqlstate() empty on the
// classes it maps codes to, so the class is asked too.
bool insufficient_privilege(const pqxx::sql_error& e);

// '\x…' text for a bytea parameter.
std::string bytea_param(const uint8_t* data, size_t size);
template <size_t N>
std::string bytea_param(const std::array<uint8_t, N>& a) {
    return bytea_param(a.data(), N);
}
inline std::string bytea_param(const Key& k) {
    return bytea_param(k.data(), k.size());
}
// A bytea column's value as a Key (the text form PostgreSQL sends, unescaped).
Key key_of(const pqxx::field& f, pqxx::transaction_base& tx);
// A PostgreSQL array literal of bytea in hex form, for `= ANY($n::bytea[])`.
std::string bytea_array(const std::vector<Key>& keys);
// Bitcoin's UTXO table, in the caller's transaction (store_utxo.cpp): the batch's outputs and
// spends (`finalized`: the height at or below which a spent output is deleted; `fresh`: no row
// of the range is stored yet), and the deletion of outputs spent at or below `finalized`.
void write_utxos(pqxx::work& tx, const Batch& batch, uint64_t finalized, bool fresh);
void prune_spent_utxos(pqxx::work& tx, const std::string& chain, int64_t finalized);
void unwind_utxos(pqxx::work& tx, const std::string& chain, int64_t keep);
// The batch's quarantined dead letters, in its transaction (store_dead_letters.cpp).
void write_dead_letters(pqxx::work& tx, const Batch& batch);
// SQL that takes a per-chain transaction lock, so writers of one chain apply deltas in turn.
inline constexpr const char* k_chain_xact_lock =
    "SELECT pg_advisory_xact_lock(hashtext('chainidx.write.' || $1))";

}  // namespace chainidx::store
