#pragma once
// JSON-RPC 2.0 over HttpClient: single calls and batches, parsed once with simdjson. Retries
// retryable failures with exponential backoff and jitter (honouring Retry-After), then fails over
// to the next endpoint. Results are simdjson elements that stay valid until the next call.
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/errors.hpp"
#include "core/rpc/http_client.hpp"

namespace chainidx::rpc {

// The node answered with a JSON-RPC error object.
class CallError : public RpcError {
  public:
    CallError(const std::string& what, int64_t code, std::string message, bool retryable)
        : RpcError(what, retryable), m_code(code), m_message(std::move(message)) {}
    int64_t code() const { return m_code; }
    const std::string& node_message() const { return m_message; }
    // The node refused because the answer would be too large (eth_getLogs range limits).
    bool result_too_large() const;

  private:
    int64_t m_code;
    std::string m_message;
};

struct ClientOptions {
    std::vector<std::string> endpoints;
    long timeout_ms = 30000;
    unsigned retries = 5;
    size_t max_response_bytes = size_t(512) << 20;
    long initial_backoff_ms = 250;
};

class JsonRpcClient {
  public:
    explicit JsonRpcClient(ClientOptions options);

    // `params_json` is the JSON text of the params array, e.g. R"(["latest", false])".
    simdjson::dom::element call(std::string_view method, std::string_view params_json);
    // One HTTP request carrying params.size() calls of `method`; results in params order.
    std::vector<simdjson::dom::element> batch(std::string_view method,
                                              const std::vector<std::string>& params);

    const std::string& endpoint() const { return m_http->display_url(); }
    size_t last_response_bytes() const { return m_last_bytes; }

  private:
    simdjson::dom::element send(std::string_view method, const std::string& body);
    simdjson::dom::element result_of(simdjson::dom::element response, std::string_view method);
    void fail_over();

    ClientOptions m_options;
    size_t m_endpoint_index = 0;
    std::unique_ptr<HttpClient> m_http;
    simdjson::dom::parser m_parser;
    std::string m_body;  // the last response; the parsed document points into the parser
    size_t m_last_bytes = 0;
};

}  // namespace chainidx::rpc
