#include <map>

#include "core/model/errors.hpp"
#include "core/store/migrations.hpp"
#include "core/store/store_impl.hpp"

namespace chainidx::store {

namespace {

// Any constant works; it only has to be the same in every chainidx process.
constexpr const char* k_migrate_lock = "SELECT pg_advisory_lock(7263510001)";
constexpr const char* k_migrate_unlock = "SELECT pg_advisory_unlock(7263510001)";

struct Applied {
    std::string name, checksum, applied_at;
};

// How to keep chainidx apart from another application's tables in a shared database.
constexpr const char* k_own_schema_hint =
    "give chainidx a database of its own, or a schema: CREATE SCHEMA chainidx; then add "
    "options=-csearch_path=chainidx to the database URL (…/db?options=-csearch_path%3Dchainidx)";

std::map<int, Applied> read_applied(pqxx::transaction_base& tx) {
    std::map<int, Applied> out;
    // The table of that name first on the search path, and whether it has chainidx's columns.
    auto found = tx.exec1(
        "SELECT to_regclass('schema_migrations') IS NOT NULL, coalesce((SELECT "
        "string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
        "to_regclass('schema_migrations') AND attnum > 0 AND NOT attisdropped), '')");
    if (!found[0].as<bool>()) return out;
    const std::string columns = found[1].as<std::string>();
    if (columns.rfind("version, name, checksum, applied_at", 0) != 0)
        throw UsageError(
            "this database has a table schema_migrations that is not chainidx's (its columns: " +
            columns + "; golang-migrate and other tools use that name): " + k_own_schema_hint);
    for (auto row :
         tx.exec("SELECT version, name, checksum, applied_at::text FROM schema_migrations"))
        out[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>(),
                                 row[3].as<std::string>()};
    return out;
}

std::vector<MigrationState> states(const std::map<int, Applied>& applied) {
    std::vector<MigrationState> out;
    for (const Migration& m : embedded_migrations()) {
        MigrationState s;
        s.version = m.version;
        s.name = m.name;
        if (auto it = applied.find(m.version); it != applied.end()) {
            s.applied = true;
            s.applied_at = it->second.applied_at;
            s.modified = it->second.checksum != m.checksum;
        }
        out.push_back(s);
    }
    return out;
}

std::string label(const Migration& m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d", m.version);
    return std::string(buf) + "_" + m.name;
}

void refuse_modified_or_unknown(const std::map<int, Applied>& applied) {
    for (const Migration& m : embedded_migrations()) {
        auto it = applied.find(m.version);
        if (it != applied.end() && it->second.checksum != m.checksum)
            throw UsageError("migration " + label(m) +
                             " was edited after it was applied (database checksum " +
                             it->second.checksum.substr(0, 12) + "…, this binary's " +
                             std::string(m.checksum).substr(0, 12) +
                             "…); restore the original file and add a new migration instead");
    }
    int newest = embedded_migrations().empty() ? 0 : embedded_migrations().back().version;
    for (const auto& [version, a] : applied)
        if (version > newest)
            throw UsageError("the database has migration " + std::to_string(version) + " (" +
                             a.name + "), newer than this chainidx knows (up to " +
                             std::to_string(newest) + "); use a newer chainidx");
}

// A role without DDL rights (chainidx grants' writer or reader) reached a migration to apply.
std::string needs_owner(const Migration& m, const char* direction, const pqxx::sql_error& e) {
    const bool up = std::string(direction) == "up";
    return "migration " + label(m) + " needs the schema owner: run `chainidx migrate " + direction +
           "` as the owner role (PostgreSQL said: " + postgres_message(e) +
           "); nothing of it was " + (up ? "applied" : "reverted");
}

class MigrateLock {
  public:
    explicit MigrateLock(pqxx::connection& c) : m_conn(c) {
        pqxx::nontransaction tx(m_conn);
        tx.exec(k_migrate_lock);
    }
    ~MigrateLock() {
        try {
            pqxx::nontransaction tx(m_conn);
            tx.exec(k_migrate_unlock);
        } catch (...) {
            // The lock ends with the session anyway.
        }
    }

  private:
    pqxx::connection& m_conn;
};

}  // namespace

std::vector<MigrationState> Store::migration_status() {
    pqxx::read_transaction tx(*m_impl->conn);
    return states(read_applied(tx));
}

std::vector<MigrationState> Store::migrate_up() {
    auto& conn = *m_impl->conn;
    MigrateLock lock(conn);
    // Read first: a current schema needs no DDL, so a role without CREATE hears "up to date".
    std::map<int, Applied> applied;
    {
        pqxx::read_transaction tx(conn);
        applied = read_applied(tx);
    }
    refuse_modified_or_unknown(applied);
    std::vector<MigrationState> done;
    for (const Migration& m : embedded_migrations()) {
        if (applied.count(m.version)) continue;
        pqxx::work tx(conn);
        try {
            // In the migration's own transaction: a first migration that fails leaves nothing.
            tx.exec(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())");
            tx.exec(m.up_sql);
        } catch (const pqxx::sql_error& e) {
            std::string what = e.what();
            while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
            what = "migration " + label(m) + " failed, nothing of it was applied: " + what;
            if (e.sqlstate() == "42P07")  // duplicate_table: another application's table
                throw UsageError(what + "; a table of that name belongs to something else: " +
                                 k_own_schema_hint);
            if (insufficient_privilege(e))  // a writer or reader role
                throw Error(needs_owner(m, "up", e));
            throw Error(what);
        }
        tx.exec_params(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            m.version, std::string(m.name), std::string(m.checksum));
        tx.commit();
        done.push_back({m.version, m.name, true, false, ""});
    }
    return done;
}

std::vector<MigrationState> Store::migrate_down(int count) {
    auto& conn = *m_impl->conn;
    MigrateLock lock(conn);
    std::map<int, Applied> applied;
    {
        pqxx::read_transaction tx(conn);
        applied = read_applied(tx);
    }
    refuse_modified_or_unknown(applied);
    std::vector<MigrationState> done;
    const auto& all = embedded_migrations();
    for (auto it = all.rbegin(); it != all.rend() && count > 0; ++it) {
        if (!applied.count(it->version)) continue;
        pqxx::work tx(conn);
        try {
            tx.exec(it->down_sql);
            tx.exec_params("DELETE FROM schema_migrations WHERE version = $1", it->version);
        } catch (const pqxx::sql_error& e) {
            if (insufficient_privilege(e)) throw Error(needs_owner(*it, "down", e));
            throw;
        }
        tx.commit();
        done.push_back({it->version, it->name, false, false, ""});
        --count;
    }
    return done;
}

void Store::require_current_schema() {
    std::map<int, Applied> applied;
    {
        pqxx::read_transaction tx(*m_impl->conn);
        applied = read_applied(tx);
    }
    refuse_modified_or_unknown(applied);
    for (const Migration& m : embedded_migrations())
        if (!applied.count(m.version))
            throw UsageError("the database schema is not up to date (migration " + label(m) +
                             " is pending): run `chainidx migrate up` first");
}

}  // namespace chainidx::store
