#pragma once
// Logging for the CLI: human text on stderr, or JSON lines (--log-format json) that carry the run
// id and chain on every line, for log shippers.
#include <string>

namespace chainidx::cli {

void setup_logging(const std::string& level, const std::string& format);
// The chain this run works on, once known (from --chain); shown on every JSON log line.
void set_log_chain(const std::string& chain);
const std::string& run_id();

}  // namespace chainidx::cli
