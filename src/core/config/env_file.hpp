#pragma once
// Every environment variable chainidx reads for a value (CHAINIDX_DATABASE_URL,
// CHAINIDX_<CHAIN>_RPC, a "$NAME" of the config file) may instead be given as NAME_FILE, the path
// of a file holding the value: systemd's LoadCredential= hands secrets over as files in
// $CREDENTIALS_DIRECTORY, and a secret in a file stays out of the process environment.
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace chainidx::config {

struct EnvValue {
    std::string value;
    std::string origin;  // "env NAME", or "env NAME_FILE=PATH"
};

// NAME's value if set and not empty, else the contents of the file NAME_FILE names (trailing
// whitespace and newlines removed), else nothing. Throws UsageError naming the variable and the
// path, never the contents, when both are set, the file cannot be read, or it is empty.
std::optional<EnvValue> env_or_file(const std::string& name, GetEnv getenv);

// The contents of the file `var` (e.g. "CHAINIDX_RPC_FILE") names, as env_or_file reads them.
std::string read_value_file(const std::string& var, const std::string& path);

// Endpoints given as one string: separated by commas or newlines, blanks ignored.
std::vector<std::string> split_endpoints(const std::string& text);

}  // namespace chainidx::config
