#include "core/store/grants.hpp"

#include <cctype>

#include "core/model/errors.hpp"

namespace chainidx::store {

namespace {

// Always quoted: a role named like a keyword ("user") or in capitals stays what was typed.
std::string ident(const std::string& name) {
    return "\"" + name + "\"";
}

void check_name(const char* what, const std::string& name) {
    if (auto problem = grants_name_problem(name); !problem.empty())
        throw UsageError(std::string(what) + " \"" + name + "\" " + problem);
}

}  // namespace

std::string grants_name_problem(const std::string& name) {
    if (name.empty() || name.size() > 63) return "must be 1 to 63 characters long";
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
            return "must be letters, digits, '_' or '-' only";
    return "";
}

// Why ON ALL TABLES IN SCHEMA and not a list of chainidx's tables: no list can fall behind the
// migrations, and the schema is chainidx's alone (in a shared database chainidx gets a schema of
// its own: migrate refuses another application's tables of the same names). ALTER DEFAULT
// PRIVILEGES covers the tables a later migration creates; running the grants again after an
// upgrade covers anything else.
std::string grants_sql(const GrantsRequest& r) {
    check_name("--writer", r.writer);
    check_name("--reader", r.reader);
    check_name("--schema", r.schema);
    check_name("the owner role", r.owner);
    if (r.writer == r.reader) throw UsageError("--writer and --reader must be two roles");
    if (r.writer == r.owner || r.reader == r.owner)
        throw UsageError("the writer and reader roles must not be the owner role \"" + r.owner +
                         "\" (it keeps every privilege on its tables)");
    const std::string s = ident(r.schema), w = ident(r.writer), rd = ident(r.reader),
                      o = ident(r.owner);
    const std::string migrations = s + ".\"schema_migrations\"";
    std::string sql;
    sql += "-- chainidx grants: least-privilege roles for the chainidx tables in schema " + s +
           ",\n-- owned by " + o + " (the role that runs `chainidx migrate up`).\n--\n";
    sql += "--   " + w +
           "  scan, backfill, ingest, replay, rollback, reconcile, dlq retry|discard:\n"
           "--       reads and writes rows; cannot change the schema or the record of "
           "migrations\n";
    sql += "--   " + rd +
           "  status, balances, dlq list|show, migrate status: reads rows only\n--\n"
           "-- Run it after `chainidx migrate up`, in the chainidx database, as a superuser (or "
           "a role\n-- with CREATEROLE that is a member of " +
           o +
           "):\n"
           "--     chainidx grants | psql -v ON_ERROR_STOP=1 -d DATABASE\n"
           "-- then give each program a LOGIN role in one of the groups:\n"
           "--     CREATE ROLE indexer LOGIN PASSWORD '…' IN ROLE " +
           w +
           ";\n"
           "--     CREATE ROLE dashboard LOGIN PASSWORD '…' IN ROLE " +
           rd +
           ";\n"
           "-- It may run any number of times, and should run again after every upgrade: the\n"
           "-- default privileges below cover the tables a later migration creates, this makes "
           "sure.\n"
           "-- It grants on every table of the schema (no list to fall behind the migrations):\n"
           "-- in a database shared with other applications, give chainidx a schema of its "
           "own.\n"
           "-- (Before PostgreSQL 15 every role may create tables in schema public: there, also\n"
           "-- REVOKE CREATE ON SCHEMA public FROM PUBLIC.)\n\n";
    sql += "BEGIN;\n\n";
    sql += "DO $grants$\nBEGIN\n";
    sql += "    IF to_regclass('" + migrations +
           "') IS NULL THEN\n"
           "        RAISE EXCEPTION 'no chainidx tables in schema % of database %: run chainidx "
           "migrate up as the owner role first', '" +
           r.schema +
           "', current_database();\n"
           "    END IF;\n";
    sql += "    IF (SELECT tableowner FROM pg_tables WHERE schemaname = '" + r.schema +
           "' AND tablename = 'schema_migrations') <> '" + r.owner +
           "' THEN\n"
           "        RAISE EXCEPTION 'the chainidx tables in schema % are not owned by %: run "
           "chainidx grants --owner with the role that ran chainidx migrate up', '" +
           r.schema + "', '" + r.owner +
           "';\n"
           "    END IF;\n";
    for (const std::string* role : {&r.writer, &r.reader})
        sql += "    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + *role +
               "') THEN\n"
               "        CREATE ROLE " +
               ident(*role) +
               " NOLOGIN;\n"
               "    END IF;\n";
    sql +=
        "    -- PUBLIC has these by default; granted too for a database that revoked them. The\n"
        "    -- writer stages its batches in temporary tables.\n"
        "    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO " +
        w +
        "', current_database());\n"
        "    EXECUTE format('GRANT CONNECT ON DATABASE %I TO " +
        rd +
        "', current_database());\n"
        "END\n$grants$;\n\n";
    sql += "-- From nothing, so the roles end with exactly these privileges on the schema.\n";
    sql += "REVOKE ALL ON SCHEMA " + s + " FROM " + w + ", " + rd + ";\n";
    sql += "REVOKE ALL ON ALL TABLES IN SCHEMA " + s + " FROM " + w + ", " + rd + ";\n";
    sql += "REVOKE ALL ON ALL SEQUENCES IN SCHEMA " + s + " FROM " + w + ", " + rd + ";\n";
    sql += "GRANT USAGE ON SCHEMA " + s + " TO " + w + ", " + rd + ";\n\n";
    sql +=
        "-- The writer: the rows of every table (COPY is INSERT; no command truncates), and\n"
        "-- nextval on the sequences of the id columns (reorgs, reconcile_runs, dead_letters).\n";
    sql += "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + s + " TO " + w + ";\n";
    sql += "GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + s + " TO " + w + ";\n";
    sql += "-- Every command reads the record of applied migrations; only migrate writes it.\n";
    sql += "REVOKE INSERT, UPDATE, DELETE ON " + migrations + " FROM " + w + ";\n\n";
    sql += "-- The reader: SELECT on every table, nothing else.\n";
    sql += "GRANT SELECT ON ALL TABLES IN SCHEMA " + s + " TO " + rd + ";\n\n";
    sql += "-- What a later migration creates (as " + o + ") gets the same privileges.\n";
    const std::string defaults = "ALTER DEFAULT PRIVILEGES FOR ROLE " + o + " IN SCHEMA " + s;
    sql += defaults + "\n    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + w + ";\n";
    sql += defaults + "\n    GRANT USAGE ON SEQUENCES TO " + w + ";\n";
    sql += defaults + "\n    GRANT SELECT ON TABLES TO " + rd + ";\n\n";
    sql += "COMMIT;\n";
    return sql;
}

}  // namespace chainidx::store
