#pragma once
// The database connection string, checked by libpq's own parser (PQconninfoParse) before anything
// connects or prints: a string libpq does not take as a connection string is refused without
// being repeated (libpq's own message repeats all of it, password included), and the secrets of
// one it takes are remembered (core/model/secrets) so that no message can show them.
#include <optional>
#include <string>

#include "core/config/config.hpp"

namespace chainidx::store {

// Why `url` is not a PostgreSQL connection string (a postgres:// or postgresql:// URI, or libpq
// key=value pairs), in words that never contain the value; nullopt when it is one. Either way
// its secrets (the whole string, the password) are remembered.
std::optional<std::string> check_database_url(const std::string& url);

// Checks config.database_url the same way; a problem is kept in database_url_unresolved, naming
// where the value came from, so it is an error once the database is used.
void check_database_url(config::Config& config);

}  // namespace chainidx::store
