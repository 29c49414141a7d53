#include "core/config/config.hpp"
#include "core/model/errors.hpp"
#include "core/model/secrets.hpp"
#include "core/store/database_url.hpp"
#include "core/store/store_impl.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

namespace chainidx::store {

std::string bytea_param(const uint8_t* data, size_t size) {
    std::string s = hex::encode(data, size);
    s[0] = '\\';  // "0x…" -> "\x…", PostgreSQL's hex bytea input
    return s;
}

Key key_of(const pqxx::field& f, pqxx::transaction_base& tx) {
    std::string raw = tx.unesc_raw(f.c_str());
    return Key(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
}

std::string bytea_array(const std::vector<Key>& keys) {
    std::string s = "{";
    for (size_t i = 0; i < keys.size(); ++i) {
        if (i) s += ',';
        s += "\"\\\\x" + hex::encode(keys[i].data(), keys[i].size()).substr(2) + "\"";
    }
    return s + "}";
}

void Store::Impl::connect() {
    conn.reset();
    staging_ready = false;  // temporary tables live and die with the session
    conn = std::make_unique<pqxx::connection>(url);
    pqxx::nontransaction tx(*conn);
    tx.exec("SET application_name = " + tx.quote(application_name));
    tx.exec("SET client_min_messages = warning");
    for (const std::string& chain : follower_locks)
        if (!tx.exec_params1("SELECT pg_try_advisory_lock(hashtext('chainidx.follow.' || $1))",
                             chain)[0]
                 .as<bool>())
            throw Error("reconnected to " + display_url + ", but the follower lock of chain " +
                        chain + " was taken by another process meanwhile; stopping");
}

bool Store::Impl::connection_lost(const std::exception& e) {
    if (dynamic_cast<const pqxx::broken_connection*>(&e)) return true;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) return true;
    // 57P01..57P03: the server is shutting down or restarting; class 08: connection exceptions.
    if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = sql->sqlstate();
        return state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0;
    }
    return false;
}

void Store::Impl::reconnect_after(const char* what, const std::exception& e, int attempt) {
    std::string cause = secrets::scrub(e.what());
    while (!cause.empty() && (cause.back() == '\n' || cause.back() == ' ')) cause.pop_back();
    const int delay_s = std::min(1 << (attempt - 1), 5);
    spdlog::warn(
        "the connection to the database {} broke during {} ({}); reconnecting in {} s "
        "(attempt {} of {})",
        display_url, what, cause, delay_s, attempt, k_reconnect_attempts - 1);
    std::this_thread::sleep_for(std::chrono::seconds(delay_s));
    conn.reset();  // the caller's next attempt connects again (and re-takes follower locks)
}

Store::Store(const std::string& url, const std::string& application_name)
    : m_impl(std::make_unique<Impl>()) {
    // Config loading refuses such strings with their origin already; this is for every caller.
    if (auto problem = check_database_url(url))
        throw UsageError("the database URL " + *problem + " (the value is not shown)");
    m_impl->display_url = config::redact_database_url(url);
    m_impl->url = url;
    m_impl->application_name = application_name;
    try {
        m_impl->connect();
    } catch (const pqxx::broken_connection& e) {
        // libpq's messages may repeat parts of the connection string.
        std::string msg = secrets::scrub(e.what());
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        throw Error("cannot connect to the database " + m_impl->display_url + ": " + msg +
                    " (check --db / CHAINIDX_DATABASE_URL and that PostgreSQL is running)");
    } catch (const std::exception& e) {
        throw Error("cannot use the database " + m_impl->display_url + ": " +
                    secrets::scrub(e.what()));
    }
}

Store::~Store() = default;

void Store::register_chain(const std::string& chain, const std::string& family, uint64_t chain_id) {
    pqxx::work tx(*m_impl->conn);
    tx.exec_params(
        "INSERT INTO chains (name, family, chain_id) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO NOTHING",
        chain, family, static_cast<int64_t>(chain_id));
    auto row = tx.exec_params1("SELECT family, chain_id FROM chains WHERE name = $1", chain);
    std::string stored_family = row[0].as<std::string>();
    auto stored_id = row[1].as<int64_t>();
    if (stored_family != family || stored_id != static_cast<int64_t>(chain_id))
        throw UsageError("chain " + chain + " is stored in the database as family " +
                         stored_family + " with chain id " + std::to_string(stored_id) +
                         ", but the config says " + family + " with chain id " +
                         std::to_string(chain_id) + "; use another chain name or fix the config");
    tx.commit();
}

std::optional<std::string> Store::chain_family(const std::string& chain) {
    pqxx::read_transaction tx(*m_impl->conn);
    auto r = tx.exec_params("SELECT family FROM chains WHERE name = $1", chain);
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::string>();
}

std::vector<std::string> Store::chain_names() {
    pqxx::read_transaction tx(*m_impl->conn);
    std::vector<std::string> names;
    for (const auto& row : tx.exec("SELECT name FROM chains ORDER BY name"))
        names.push_back(row[0].as<std::string>());
    return names;
}

ChainState Store::chain_state(const std::string& chain) {
    return m_impl->retrying("a watermark read", [&] { return chain_state_once(chain); });
}

ChainState Store::chain_state_once(const std::string& chain) {
    pqxx::read_transaction tx(*m_impl->conn);
    auto r = tx.exec_params(
        "SELECT block_number, block_hash, safe_block, finalized_block FROM watermarks "
        "WHERE chain = $1",
        chain);
    ChainState s;
    if (r.empty()) return s;
    s.watermark = r[0][0].as<int64_t>();
    std::string h = tx.unesc_raw(r[0][1].c_str());
    if (h.size() == 32) std::copy(h.begin(), h.end(), s.watermark_hash.begin());
    s.safe_block = r[0][2].as<int64_t>();
    s.finalized_block = r[0][3].as<int64_t>();
    return s;
}

std::optional<Hash32> Store::block_hash(const std::string& chain, uint64_t number) {
    return m_impl->retrying("a block read", [&] { return block_hash_once(chain, number); });
}

std::optional<Hash32> Store::block_hash_once(const std::string& chain, uint64_t number) {
    pqxx::read_transaction tx(*m_impl->conn);
    auto r = tx.exec_params("SELECT hash FROM blocks WHERE chain = $1 AND number = $2", chain,
                            static_cast<int64_t>(number));
    if (r.empty()) return std::nullopt;
    std::string h = tx.unesc_raw(r[0][0].c_str());
    Hash32 out{};
    if (h.size() != 32) return std::nullopt;
    std::copy(h.begin(), h.end(), out.begin());
    return out;
}

bool Store::try_lock_follower(const std::string& chain, std::string& holder) {
    pqxx::nontransaction tx(*m_impl->conn);
    auto r =
        tx.exec_params1("SELECT pg_try_advisory_lock(hashtext('chainidx.follow.' || $1))", chain);
    if (r[0].as<bool>()) {
        m_impl->follower_locks.insert(chain);
        return true;
    }
    auto who = tx.exec_params(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local'), "
        "a.backend_start::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.objid = (hashtext('chainidx.follow.' || $1)::bigint & 4294967295)::oid LIMIT 1",
        chain);
    if (who.empty())
        holder = "another session";
    else
        holder = "\"" + who[0][1].as<std::string>() + "\" (backend pid " +
                 who[0][0].as<std::string>() + ", from " + who[0][2].as<std::string>() +
                 ", since " + who[0][3].as<std::string>() + ")";
    return false;
}

}  // namespace chainidx::store
