#include "core/store/privilege_error.hpp"

#include "core/store/store_impl.hpp"

namespace chainidx::store {

std::string postgres_message(const pqxx::sql_error& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));  // not the LINE/caret lines that follow
    if (auto colon = what.find(":  "); colon != std::string::npos && colon < 10)
        what.erase(0, colon + 3);
    while (!what.empty() && what.back() == ' ') what.pop_back();
    return what;
}

bool insufficient_privilege(const pqxx::sql_error& e) {
    return dynamic_cast<const pqxx::insufficient_privilege*>(&e) || e.sqlstate() == "42501";
}

std::optional<std::string> privilege_error(const std::exception& e) {
    auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
    if (!sql || !insufficient_privilege(*sql)) return std::nullopt;
    return "the database role lacks a privilege this command needs (" + postgres_message(*sql) +
           "): run it as a role of the writer group (scan, backfill, ingest, replay, rollback, "
           "reconcile, dlq retry|discard) or the owner (migrate up|down); the reader group only "
           "reads. `chainidx grants` prints the SQL that makes these roles";
}

}  // namespace chainidx::store
