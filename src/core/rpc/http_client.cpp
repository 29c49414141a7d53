#include "core/rpc/http_client.hpp"

#include <curl/curl.h>
#include <simdjson.h>

#include <cstring>
#include <mutex>

#include "core/config/config.hpp"

namespace chainidx::rpc {

namespace {

struct WriteState {
    std::string* body;
    size_t limit;
    bool too_large = false;
};

size_t on_write(char* data, size_t size, size_t nmemb, void* user) {
    auto* st = static_cast<WriteState*>(user);
    size_t n = size * nmemb;
    if (st->body->size() + n > st->limit) {
        st->too_large = true;
        return 0;  // aborts the transfer
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
                       const std::string& ca_file)
    : m_url(std::move(url)),
      m_display_url(config::redact_rpc_url(m_url)),
      m_max_response_bytes(max_response_bytes) {
    global_init_once();
    CURL* c = curl_easy_init();
    if (!c) throw RpcError("cannot create an HTTP client (curl_easy_init failed)", false);
    m_curl = c;
    auto* h = curl_slist_append(nullptr, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");  // no 100-continue round trip on large bodies
    m_headers = h;
    curl_easy_setopt(c, CURLOPT_URL, m_url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
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
    WriteState st{&resp.body, m_max_response_bytes};
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.retry_after_s);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    CURLcode rc = curl_easy_perform(c);
    if (st.too_large || rc == CURLE_FILESIZE_EXCEEDED)
        throw ResponseTooLarge("response exceeds the " + format_bytes(m_max_response_bytes) +
                               " cap (rpc_max_response_bytes)");
    if (rc != CURLE_OK) throw RpcError(curl_easy_strerror(rc), true);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

}  // namespace chainidx::rpc
