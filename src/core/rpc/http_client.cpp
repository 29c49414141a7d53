#include "core/rpc/http_client.hpp"

#include <curl/curl.h>
#include <simdjson.h>

#include <cstring>
#include <mutex>

#include "core/config/config.hpp"
#include "core/model/secrets.hpp"
#include "core/rpc/url.hpp"

namespace chainidx::rpc {

namespace {

struct WriteState {
    std::string* body;
    size_t limit;
    CURL* curl;
    bool too_large = false;
    bool sized = false;
};

size_t on_write(char* data, size_t size, size_t nmemb, void* user) {
    auto* st = static_cast<WriteState*>(user);
    size_t n = size * nmemb;
    if (st->body->size() + n > st->limit) {
        st->too_large = true;
        return 0;  // aborts the transfer
    }
    // One buffer of the announced size (plus simdjson's padding), not a doubling one that can
    // hold twice the answer: the parser then reads it in place.
    if (!st->sized) {
        st->sized = true;
        curl_off_t length = -1;
        if (curl_easy_getinfo(st->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
            length > 0 && static_cast<size_t>(length) <= st->limit)
            st->body->reserve(static_cast<size_t>(length) + simdjson::SIMDJSON_PADDING);
    }
    if (st->body->capacity() < st->body->size() + n + simdjson::SIMDJSON_PADDING)
        st->body->reserve(
            std::max(st->body->capacity() * 2, st->body->size() + n + simdjson::SIMDJSON_PADDING));
    st->body->append(data, n);
    return n;
}

size_t on_header(char* data, size_t size, size_t nmemb, void* user) {
    size_t n = size * nmemb;
    auto* retry_after = static_cast<std::optional<long>*>(user);
    static constexpr char k_name[] = "retry-after:";
    if (n > sizeof k_name && strncasecmp(data, k_name, sizeof k_name - 1) == 0) {
        // Seconds only; the HTTP-date form is rare from RPC providers and falls back to backoff.
        const char* start = data + sizeof k_name - 1;
        char* end = nullptr;
        long v = std::strtol(start, &end, 10);
        if (end != start && v >= 0) *retry_after = v;
    }
    return n;
}

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string format_bytes(size_t n) {
    if (n >= (size_t(1) << 20) && n % (size_t(1) << 20) == 0)
        return std::to_string(n >> 20) + " MiB";
    return std::to_string(n) + " bytes";
}

HttpClient::HttpClient(std::string url, long timeout_ms, size_t max_response_bytes,
                       const std::string& ca_file, long low_speed_time_s)
    : m_url(std::move(url)),
      m_display_url(config::redact_rpc_url(m_url)),
      m_max_response_bytes(max_response_bytes) {
    global_init_once();
    // Config loading refuses such URLs with their origin already; this is for every other caller.
    if (auto problem = check_http_url(m_url))
        throw RpcError("endpoint " + m_display_url + ": the URL " + *problem, false);
    CURL* c = curl_easy_init();
    if (!c) throw RpcError("cannot create an HTTP client (curl_easy_init failed)", false);
    m_curl = c;
    auto* h = curl_slist_append(nullptr, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");  // no 100-continue round trip on large bodies
    m_headers = h;
    curl_easy_setopt(c, CURLOPT_URL, m_url.c_str());
    // http and https only, redirects included: libcurl also reads file://, ftp://, … and would
    // hand their contents to an error message.
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85: the _STR forms
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
                     static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    // Never 0, which is libcurl's "no timeout": every transfer ends within timeout_ms.
    timeout_ms = std::max(timeout_ms, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
    // A node that trickles (a byte a second) is cut off once the transfer has stayed below
    // k_low_speed_bytes_per_s that long, however long the total timeout is.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, k_low_speed_bytes_per_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     std::clamp((timeout_ms + 999) / 1000, 1L, std::max(low_speed_time_s, 1L)));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate if the node offers it
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    // A Content-Length above the cap is refused before any of the body is read.
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_response_bytes));
    // curl's defaults, set explicitly so no build or environment can turn verification off.
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
}

HttpClient::~HttpClient() {
    curl_easy_cleanup(static_cast<CURL*>(m_curl));
    curl_slist_free_all(static_cast<curl_slist*>(m_headers));
}

HttpResponse HttpClient::post_json(std::string_view body) {
    CURL* c = static_cast<CURL*>(m_curl);
    HttpResponse resp;
    resp.body.reserve(64 * 1024);
    WriteState st{&resp.body, m_max_response_bytes, c};
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.retry_after_s);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    CURLcode rc = curl_easy_perform(c);
    if (st.too_large || rc == CURLE_FILESIZE_EXCEEDED)
        throw ResponseTooLarge("response exceeds the " + format_bytes(m_max_response_bytes) +
                               " cap (rpc_max_response_bytes)");
    if (rc != CURLE_OK) {
        // A certificate that does not verify will not verify on the next try either.
        const bool tls_trust = rc == CURLE_PEER_FAILED_VERIFICATION ||
                               rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM;
        if (tls_trust)
            throw RpcError(std::string(curl_easy_strerror(rc)) +
                               " (TLS certificate not trusted: for a private CA give --ca-file "
                               "or the chain's ca_file)",
                           false);
        throw RpcError(curl_easy_strerror(rc), true);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

std::string HttpClient::scrub(std::string_view text) const {
    std::string out = secrets::scrub(text);
    auto erase_all = [&](const std::string& secret) {
        if (secret.size() < 4) return;  // "/" or "v2" are not secrets, and would eat the text
        for (size_t at; (at = out.find(secret)) != std::string::npos;)
            out.replace(at, secret.size(), "***");
    };
    // scheme://[user[:password]@]host[:port][/path][?query]
    std::string_view u = m_url;
    auto scheme = u.find("://");
    std::string_view rest = scheme == std::string_view::npos ? u : u.substr(scheme + 3);
    auto slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        auto colon = userinfo.find(':');
        erase_all(std::string(userinfo.substr(0, colon)));
        if (colon != std::string_view::npos) erase_all(std::string(userinfo.substr(colon + 1)));
    }
    if (slash != std::string_view::npos) {
        std::string tail(rest.substr(slash));
        erase_all(tail);  // the whole path and query first, then their parts
        for (size_t start = 0; start < tail.size();) {
            size_t end = tail.find_first_of("/?&=", start + 1);
            if (end == std::string::npos) end = tail.size();
            erase_all(tail.substr(start + 1, end - start - 1));
            start = end;
        }
    }
    // Credentials an endpoint echoes from the request headers.
    for (const char* scheme_word : {"Basic ", "Bearer "}) {
        for (size_t at = 0; (at = out.find(scheme_word, at)) != std::string::npos;) {
            size_t from = at + std::strlen(scheme_word), end = from;
            while (end < out.size() && (std::isalnum(static_cast<unsigned char>(out[end])) ||
                                        std::strchr("+/=-_.", out[end])))
                ++end;
            out.replace(from, end - from, "***");
            at = from + 3;
        }
    }
    return out;
}

}  // namespace chainidx::rpc
