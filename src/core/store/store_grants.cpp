#include "core/store/store_impl.hpp"

namespace chainidx::store {

SchemaOwner Store::schema_owner(const std::string& schema) {
    return m_impl->retrying("reading the schema's owner", [&] {
        pqxx::read_transaction tx(*m_impl->conn);
        // current_schema() is what unqualified names (migrate's CREATE TABLEs) resolve to.
        auto row = tx.exec_params1(
            "WITH s AS (SELECT coalesce(nullif($1, ''), current_schema()) AS name) "
            "SELECT s.name, (SELECT tableowner FROM pg_tables WHERE schemaname = s.name AND "
            "tablename = 'schema_migrations') FROM s",
            schema);
        return SchemaOwner{row[0].is_null() ? "" : row[0].as<std::string>(),
                           row[1].is_null() ? "" : row[1].as<std::string>()};
    });
}

}  // namespace chainidx::store
