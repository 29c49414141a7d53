#include "core/rpc/url.hpp"

#include <curl/curl.h>
#include <strings.h>

#include <memory>
#include <string_view>

#include "core/model/errors.hpp"
#include "core/model/secrets.hpp"

namespace chainidx::rpc {

namespace {

using UrlHandle = std::unique_ptr<CURLU, void (*)(CURLU*)>;

std::optional<std::string> part(CURLU* h, CURLUPart which, unsigned flags = 0) {
    char* value = nullptr;
    if (curl_url_get(h, which, &value, flags) != CURLUE_OK || !value) return std::nullopt;
    std::string out(value);
    curl_free(value);
    return out;
}

// An API key in a path segment or a query value: random-looking (a digit in it) or long. Plain
// words ("mainnet", "ethereum") are left alone; the whole path and query are remembered anyway.
bool looks_like_key(std::string_view s) {
    return s.size() >= 12 || s.find_first_of("0123456789") != std::string_view::npos;
}

void remember_pieces(std::string_view s, const char* separators, bool values_only,
                     std::string_view host) {
    for (size_t start = 0; start <= s.size();) {
        size_t end = s.find_first_of(separators, start);
        if (end == std::string_view::npos) end = s.size();
        std::string_view piece = s.substr(start, end - start);
        if (values_only) {
            if (auto eq = piece.find('='); eq != std::string_view::npos) {
                secrets::remember(std::string(piece));  // "apikey=KEY" before "KEY"
                piece = piece.substr(eq + 1);
            }
        }
        // A path that repeats the host ("/127.0.0.1/") would hide it in every message.
        if (looks_like_key(piece) && piece != host) secrets::remember(std::string(piece));
        start = end + 1;
    }
}

// Remembers the credentials and everything after scheme://host[:port]; returns whether there
// was any of it.
bool remember_secrets(CURLU* h) {
    bool any = false;
    for (CURLUPart which : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS}) {
        if (auto raw = part(h, which)) {
            secrets::remember(*raw);
            any = true;
        }
        if (auto decoded = part(h, which, CURLU_URLDECODE)) secrets::remember(*decoded);
    }
    const std::string host = part(h, CURLUPART_HOST).value_or("");
    std::string tail;
    if (auto path = part(h, CURLUPART_PATH); path && *path != "/") {
        secrets::remember(*path);
        remember_pieces(*path, "/;", false, host);
        tail += *path;
    }
    if (auto query = part(h, CURLUPART_QUERY)) {
        secrets::remember(*query);
        remember_pieces(*query, "&", true, host);
        tail += "?" + *query;
    }
    if (auto fragment = part(h, CURLUPART_FRAGMENT)) {
        secrets::remember(*fragment);
        tail += "#" + *fragment;
    }
    secrets::remember(tail);
    return any || !tail.empty();
}

}  // namespace

std::optional<std::string> check_http_url(const std::string& url) {
    UrlHandle h(curl_url(), curl_url_cleanup);
    if (!h) throw Error("cannot parse a URL (curl_url failed)");
    // As given: no scheme guessed, no dot segments resolved, nothing re-encoded.
    const CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, url.c_str(), CURLU_PATH_AS_IS);
    // A string that is not a URL may be anything; a URL without credentials, path or query
    // (http://127.0.0.1:8545) is no secret, and is what messages name.
    if (rc != CURLUE_OK || remember_secrets(h.get())) secrets::remember(url);
    if (rc == CURLUE_BAD_SCHEME || rc == CURLUE_UNSUPPORTED_SCHEME)
        return std::string("is not an http:// or https:// URL");
    if (rc == CURLUE_BAD_HOSTNAME)
        return std::string(
            "has a bad host name (a '@' in the user name or password must be percent-encoded "
            "as %40)");
    if (rc != CURLUE_OK) return "is not a valid URL (" + std::string(curl_url_strerror(rc)) + ")";
    auto scheme = part(h.get(), CURLUPART_SCHEME);
    if (!scheme ||
        (strcasecmp(scheme->c_str(), "http") != 0 && strcasecmp(scheme->c_str(), "https") != 0))
        return std::string("is not an http:// or https:// URL (no other scheme is allowed)");
    if (!part(h.get(), CURLUPART_HOST)) return std::string("has no host");
    return std::nullopt;
}

void require_http_url(const std::string& url, const std::string& what) {
    if (auto problem = check_http_url(url))
        throw UsageError(what + ": the URL " + *problem + " (the value is not shown)");
}

void check_endpoint_urls(config::Config& config) {
    for (auto& [name, chain] : config.chains) {
        const config::Setting<std::vector<std::string>>& rpc = chain.rpc;
        for (size_t i = 0; i < rpc.value.size(); ++i) {
            auto problem = check_http_url(rpc.value[i]);
            if (!problem || !chain.rpc_unresolved.empty()) continue;
            const std::string where = rpc.origin.rfind("file ", 0) == 0
                                          ? rpc.origin.substr(5) + ": chains." + name + ".rpc"
                                          : rpc.origin + " (chain " + name + ")";
            chain.rpc_unresolved = where + ": endpoint " + std::to_string(i + 1) + " of " +
                                   std::to_string(rpc.value.size()) + " " + *problem +
                                   " (the value is not shown; e.g. https://host/v2/KEY)";
        }
        if (!chain.rpc_unresolved.empty()) chain.rpc.value.clear();
    }
}

}  // namespace chainidx::rpc
