#pragma once
// The SQL a DBA runs to give chainidx least-privilege roles (`chainidx grants`): a writer group
// for the commands that index, a reader group for the commands that only read, both NOLOGIN;
// the owner (the role that runs `migrate up`) keeps DDL and the record of migrations.
#include <string>

namespace chainidx::store {

struct GrantsRequest {
    std::string writer = "chainidx_writer";
    std::string reader = "chainidx_reader";
    std::string schema;  // where migrate put the tables
    std::string owner;   // the role that owns them (ran migrate up)
};

// Empty when `name` can be printed as a role or schema name in the grants, else what is wrong
// with it ("must be …"). Names are 1 to 63 letters, digits, '_' or '-': nothing a DBA has to
// read twice in the SQL, and nothing that could end a quoted identifier or the DO block.
std::string grants_name_problem(const std::string& name);

// The SQL (idempotent, one transaction) for `request`; throws UsageError for a bad name.
std::string grants_sql(const GrantsRequest& request);

}  // namespace chainidx::store
