#include "core/rpc/http_client.hpp"

#include <curl/curl.h>
#include <simdjson.h>

#include <cstring>
#include <mutex>

#include "core/config/config.hpp"
#include "core/model/errors.hpp"

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
        long v = std::strtol(data + sizeof k_name - 1, nullptr, 10);
        if (v >= 0) *retry_after = v;
    }
    return n;
}

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpClient::HttpClient(std::string url, long timeout_ms, size_t max_response_bytes)
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
    if (st.too_large)
        throw RpcError(
            "response larger than the " + std::to_string(m_max_response_bytes >> 20) + " MiB cap",
            false);
    if (rc != CURLE_OK) throw RpcError(curl_easy_strerror(rc), true);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

}  // namespace chainidx::rpc
