#pragma once
// RPC endpoint and webhook URLs, parsed by libcurl's URL API (never by hand): only http:// and
// https:// are accepted — libcurl also speaks file://, ftp://, … and would show what it read —
// and the secrets of every URL (user, password, and everything after scheme://host[:port], where
// providers put API keys) are remembered (core/model/secrets) before anything uses it.
#include <optional>
#include <string>

#include "core/config/config.hpp"

namespace chainidx::rpc {

// Why `url` cannot be used (not a URL, not http or https), in words that never contain it;
// nullopt when it can. Either way its secrets are remembered.
std::optional<std::string> check_http_url(const std::string& url);

// The same, throwing UsageError "<what>: …" (what: "flag --alert-webhook", …).
void require_http_url(const std::string& url, const std::string& what);

// Checks every chain's endpoints. A chain with one that cannot be used gets no endpoints and the
// reason in rpc_unresolved, naming where the value came from and the chain, so it is an error as
// soon as that chain is used.
void check_endpoint_urls(config::Config& config);

}  // namespace chainidx::rpc
