#pragma once
// A kept-alive HTTP POST client on one libcurl easy handle (one per thread). Transport failures
// throw a retryable RpcError with curl's reason; the caller adds the method and endpoint. TLS
// certificates are always verified, against the system store or `ca_file`.
#include <optional>
#include <string>
#include <string_view>

#include "core/model/errors.hpp"

namespace chainidx::rpc {

// The body grew past the response cap; the transfer was cut off there.
class ResponseTooLarge : public RpcError {
  public:
    explicit ResponseTooLarge(const std::string& what) : RpcError(what, false) {}
};

// "256 MiB" when whole mebibytes, else "1000 bytes".
std::string format_bytes(size_t n);

struct HttpResponse {
    long status = 0;
    std::string body;                   // capacity leaves room for simdjson's padding
    std::optional<long> retry_after_s;  // from a 429/503 Retry-After header
};

// A transfer slower than this many bytes/s for k_low_speed_time_s (or its whole timeout, if
// shorter) is cut off: a node that trickles a byte a second cannot hold a run.
constexpr long k_low_speed_bytes_per_s = 64;
constexpr long k_low_speed_time_s = 30;

class HttpClient {
  public:
    // `timeout_ms` bounds each transfer (at least 1: never curl's "no timeout"). `ca_file`
    // empty: the system's CA store. `low_speed_time_s` is for tests.
    HttpClient(std::string url, long timeout_ms, size_t max_response_bytes,
               const std::string& ca_file = {}, long low_speed_time_s = k_low_speed_time_s);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    HttpResponse post_json(std::string_view body);
    const std::string& display_url() const { return m_display_url; }
    // `text` from the endpoint (an error body, a node message) with the secrets of this URL
    // removed: endpoints echo the API key of the path or query, or the Authorization header.
    std::string scrub(std::string_view text) const;

  private:
    std::string m_url;
    std::string m_display_url;
    size_t m_max_response_bytes;
    void* m_curl = nullptr;     // CURL*, kept opaque so curl.h stays in the .cpp
    void* m_headers = nullptr;  // curl_slist*
};

}  // namespace chainidx::rpc
