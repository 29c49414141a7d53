#pragma once
// The SQL migrations of migrations/, embedded at build time (cmake/EmbedMigrations.cmake).
#include <string>
#include <vector>

namespace chainidx::store {

struct Migration {
    int version;
    const char* name;
    const char* checksum;  // SHA-256 of the up script
    const char* up_sql;
    const char* down_sql;
};

const std::vector<Migration>& embedded_migrations();

}  // namespace chainidx::store
