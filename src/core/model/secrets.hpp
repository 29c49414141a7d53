#pragma once
// The process-wide registry of secret strings: the database password and connection string, the
// API keys and credentials of RPC and webhook URLs. Whatever reads a secret remembers it here
// first; everything that leaves the process as text (the error report, log lines, alert payloads,
// messages from libpq and libcurl) goes through scrub(), so a secret that a library or a node
// repeats back is never printed, whatever the shape of the message.
#include <cstddef>
#include <string>
#include <string_view>

namespace chainidx::secrets {

// Shorter strings are not remembered: "v2" or "/" would erase half of every message.
constexpr size_t k_min_length = 4;

// Remembers `secret` (thread-safe); empty and short strings are ignored.
void remember(std::string secret);

// `text` with every occurrence of every remembered secret replaced by "***", longest first.
std::string scrub(std::string_view text);

// Forgets every secret (for tests).
void forget_all();

}  // namespace chainidx::secrets
