#pragma once
// A database error caused by the role's privileges, told as what to do (src/cli/main.cpp asks,
// for every failure it reports: the store's libpqxx errors reach it as std::exception).
#include <exception>
#include <optional>
#include <string>

namespace chainidx::store {

// For PostgreSQL's insufficient_privilege (SQLSTATE 42501): the message to print instead, naming
// what was refused and which role runs what. nullopt for any other exception.
std::optional<std::string> privilege_error(const std::exception& e);

}  // namespace chainidx::store
