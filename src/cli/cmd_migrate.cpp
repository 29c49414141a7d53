// chainidx migrate up | down [N] | status
#include <spdlog/spdlog.h>

#include "cli/common.hpp"

namespace chainidx::cli {

namespace {

void print_states(const std::vector<store::MigrationState>& states, Output out) {
    std::vector<nlohmann::ordered_json> rows;
    for (const auto& s : states) {
        char version[16];
        std::snprintf(version, sizeof version, "%04d", s.version);
        rows.push_back({{"version", version},
                        {"name", s.name},
                        {"state", s.modified  ? "MODIFIED"
                                  : s.applied ? "applied"
                                              : "pending"},
                        {"applied_at", s.applied ? nlohmann::ordered_json(s.applied_at)
                                                 : nlohmann::ordered_json()}});
    }
    print_rows(out, {"version", "name", "state", "applied_at"}, rows);
}

}  // namespace

void register_migrate(CLI::App& app, GlobalOptions& g) {
    auto* cmd = app.add_subcommand("migrate",
                                   "Apply, revert or list the database migrations built into "
                                   "chainidx. Example: chainidx migrate up --db postgres://…");
    cmd->require_subcommand(1);
    auto output = std::make_shared<Output>(Output::table);

    auto* up = cmd->add_subcommand("up",
                                   "Apply every pending migration, each in a transaction. "
                                   "Concurrent runs wait for each other.\n"
                                   "Example: chainidx migrate up --db postgres://…");
    up->callback([&g] {
        auto config = load_config(g);
        auto s = open_store(config, "migrate", false);
        auto done = s->migrate_up();
        if (done.empty()) spdlog::info("migrate: the schema is up to date");
        for (const auto& m : done) spdlog::info("migrate: applied {:04d}_{}", m.version, m.name);
    });

    auto count = std::make_shared<int>(1);
    auto* down = cmd->add_subcommand("down",
                                     "Revert the last N applied migrations (default 1).\n"
                                     "Example: chainidx migrate down 1");
    add_number(down, "N", *count, "How many to revert (1 or more)", {.min = 1, .max = 1000000});
    down->callback([&g, count] {
        auto config = load_config(g);
        auto s = open_store(config, "migrate", false);
        auto done = s->migrate_down(*count);
        if (done.empty()) spdlog::info("migrate: nothing to revert");
        for (const auto& m : done) spdlog::info("migrate: reverted {:04d}_{}", m.version, m.name);
    });

    auto* status = cmd->add_subcommand(
        "status",
        "List migrations: applied, pending or MODIFIED. Exit 0 when all are applied unmodified, "
        "1 otherwise (for deploy scripts).\nExample: chainidx migrate status --output json");
    add_output_option(status, *output);
    status->callback([&g, output] {
        auto config = load_config(g);
        auto s = open_store(config, "migrate", false);
        auto states = s->migration_status();
        print_states(states, *output);
        for (const auto& st : states)
            if (st.modified || !st.applied) exit_code() = 1;
    });
}

}  // namespace chainidx::cli
