#pragma once
// CLI11's parse errors repeat what was typed ("The following arguments were not expected:
// --rpcs https://…/v2/KEY"), and what was typed is often a URL with a key or a password in it.
// The message printed names the flags only: values never show.
#include <CLI/CLI.hpp>
#include <string>

namespace chainidx::cli {

// The one-line message for `e`, raised while `app` parsed argv.
std::string describe_parse_error(const CLI::App& app, const CLI::ParseError& e, int argc,
                                 const char* const* argv);

// "flag --x" when argv names the option (any spelling: --x V, --x=V), else "env VAR".
std::string option_origin(const std::string& flag, const std::string& env, int argc,
                          const char* const* argv);

}  // namespace chainidx::cli
