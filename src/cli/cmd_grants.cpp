// chainidx grants — print the SQL that makes least-privilege writer and reader roles.
#include <iostream>

#include "cli/common.hpp"
#include "core/model/errors.hpp"
#include "core/store/grants.hpp"

namespace chainidx::cli {

namespace {

void run_grants(store::GrantsRequest request, const GlobalOptions& g) {
    // Names first: a typo is named before any connection is tried.
    for (auto [flag, value] : {std::pair{"--writer", &request.writer},
                               {"--reader", &request.reader},
                               {"--schema", &request.schema},
                               {"--owner", &request.owner}})
        if (!value->empty())
            if (auto problem = store::grants_name_problem(*value); !problem.empty())
                throw UsageError(std::string(flag) + " " + problem);
    auto config = load_config(g);
    // The schema and owner come from the flags, else from the database when one is configured
    // (the SQL checks them again where it runs), else the schema is public.
    const bool have_database =
        !config.database_url.value.empty() || !config.database_url_unresolved.empty();
    if ((request.schema.empty() || request.owner.empty()) && have_database) {
        auto s = open_store(config, "grants", false);
        const store::SchemaOwner found = s->schema_owner(request.schema);
        if (found.schema.empty())
            throw UsageError(
                "the database's search path names no existing schema: pass --schema S");
        request.schema = found.schema;
        if (request.owner.empty() && found.owner.empty())
            throw UsageError("schema " + found.schema +
                             " has no chainidx tables yet: run `chainidx migrate up` as the role "
                             "that is to own them first (or pass --owner ROLE)");
        if (request.owner.empty()) request.owner = found.owner;
    }
    if (request.schema.empty()) request.schema = "public";
    if (request.owner.empty())
        throw UsageError(
            "no owner role: pass --owner ROLE (the role that runs `chainidx migrate up`), or "
            "--db so it is read from the database");
    std::cout << store::grants_sql(request);
}

}  // namespace

void register_grants(CLI::App& app, GlobalOptions& g) {
    auto request = std::make_shared<store::GrantsRequest>();
    auto* cmd = app.add_subcommand(
        "grants",
        "Print the SQL (idempotent, for psql) that creates NOLOGIN writer and reader roles with "
        "the least privileges chainidx needs. The schema and its owner are read from the "
        "database when one is given.\n"
        "Example: chainidx grants | psql -v ON_ERROR_STOP=1 -d chainidx");
    cmd->add_option("--writer", request->writer,
                    "Group role of the indexing commands (default chainidx_writer)")
        ->type_name("ROLE");
    cmd->add_option("--reader", request->reader,
                    "Group role of the read-only commands (default chainidx_reader)")
        ->type_name("ROLE");
    cmd->add_option("--schema", request->schema,
                    "Schema of chainidx's tables (default: the database's current schema, else "
                    "public)")
        ->type_name("SCHEMA");
    cmd->add_option("--owner", request->owner,
                    "Role that owns the tables and runs migrate up (default: read from the "
                    "database)")
        ->type_name("ROLE");
    cmd->callback([&g, request] { run_grants(*request, g); });
}

}  // namespace chainidx::cli
