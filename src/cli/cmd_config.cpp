// chainidx config show
#include <iostream>

#include "cli/common.hpp"

namespace chainidx::cli {

void register_config(CLI::App& app, GlobalOptions& g) {
    auto* cmd = app.add_subcommand(
        "config", "Inspect the merged configuration.\nExample: chainidx config show");
    cmd->require_subcommand(1);
    auto* show = cmd->add_subcommand(
        "show",
        "Print the merged config (file, CHAINIDX_* environment, flags) with where each value "
        "came from; secrets masked.\nExample: chainidx config show");
    show->callback([&g] { std::cout << config::describe(load_config(g)); });
}

}  // namespace chainidx::cli
