#pragma once
// JSON-RPC 2.0 over HttpClient: single calls and batches, parsed once with simdjson. Each attempt
// goes to the first endpoint whose circuit breaker admits it, after that endpoint's rate limit and
// concurrency slots allow (state shared process-wide, see endpoint_registry.hpp). Failures are
// retried with exponential backoff and jitter (honouring Retry-After) within a retry count and a
// time budget, failing over to the next endpoint on every second failure. Results are simdjson
// elements that stay valid until the next call.
#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/errors.hpp"
#include "core/rpc/endpoint_registry.hpp"
#include "core/rpc/http_client.hpp"

namespace chainidx::rpc {

// The node answered with a JSON-RPC error object, or with more bytes than the response cap
// (code 0, result_too_large() true, so range fetches split the range as for a node's refusal).
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

// Reads one HTTP 200 response body the way JsonRpcClient does, with no network (tests/fuzz
// calls it too): with `exact_decimals` quotes fractional numbers first (exact_numbers.hpp),
// then parses `body` with `parser` (padding it in place) and checks the shape of the answer to
// a single call (`batch_size` 0: an object with a result or an error) or to a batch of
// `batch_size` calls (every id in [0, batch_size) answered exactly once, or one error object for
// the whole batch). Returns the document, valid while `parser` and `body` are neither reused
// nor changed; or nullopt with `problem` saying what is wrong (a broken answer, which the client
// retries).
std::optional<simdjson::dom::element> read_response(simdjson::dom::parser& parser,
                                                    std::string& body, size_t batch_size,
                                                    bool exact_decimals, std::string& problem);

struct ClientOptions {
    std::vector<std::string> endpoints;  // in order of preference
    std::string chain;                   // labels the RPC metrics; may be empty
    long timeout_ms = 30000;             // per request
    unsigned retries = 5;                // retries after the first attempt
    long retry_budget_ms = 120000;       // no retry starts after this long since the first try
    size_t max_response_bytes = size_t(256) << 20;
    long initial_backoff_ms = 1000;  // doubles per retry: 1 s, 2 s, 4 s …
    long max_backoff_ms = 30000;
    double rate_limit = 0;  // requests/s per endpoint, 0: unlimited
    unsigned max_concurrency = 16;
    unsigned breaker_failures = 5;
    long breaker_cooldown_ms = 30000;
    std::string ca_file;  // empty: the system's CA store
    // Fractional numbers in responses reach the caller as strings of their exact text
    // (exact_numbers.hpp): Bitcoin amounts.
    bool exact_decimals = false;
    EndpointRegistry* registry = nullptr;  // nullptr: the process-wide endpoint_registry()
};

class JsonRpcClient {
  public:
    explicit JsonRpcClient(ClientOptions options);
    ~JsonRpcClient();

    // `params_json` is the JSON text of the params array, e.g. R"(["latest", false])".
    simdjson::dom::element call(std::string_view method, std::string_view params_json);
    // One HTTP request carrying params.size() calls of `method`; results in params order.
    std::vector<simdjson::dom::element> batch(std::string_view method,
                                              const std::vector<std::string>& params);
    struct Call {
        std::string_view method;
        std::string_view params_json;
    };
    // One HTTP request carrying calls of several methods (so one endpoint answers all of them);
    // results in `calls` order. `label` names the request in metrics and errors.
    std::vector<simdjson::dom::element> batch_calls(std::string_view label,
                                                    const std::vector<Call>& calls);

    // The endpoint of the last attempt (redacted).
    const std::string& endpoint() const { return m_endpoints[m_index]->display_url(); }
    size_t last_response_bytes() const { return m_last_bytes; }
    // Frees the last answer and the parser's buffers when they are large; a document returned
    // before is invalid afterwards.
    void trim();

  private:
    // Sends `body` until a well-formed response comes back (`batch_size` 0: a single call).
    simdjson::dom::element send(std::string_view method, const std::string& body,
                                size_t batch_size);
    std::optional<simdjson::dom::element> node_error_answer(HttpResponse& resp);
    simdjson::dom::element result_of(simdjson::dom::element response, std::string_view method);
    // Moves m_index to the first endpoint from m_index on whose breaker admits a request.
    Admission admit_some_endpoint();
    HttpClient& http();

    ClientOptions m_options;
    std::vector<std::shared_ptr<Endpoint>> m_endpoints;
    std::vector<std::unique_ptr<HttpClient>> m_http;  // per endpoint, made on first use
    size_t m_index = 0;
    // Behind a pointer: dom::parser's layout depends on SIMDJSON_THREADS_ENABLED, which only
    // targets linking simdjson::simdjson define; a TU without it would free the wrong members.
    std::unique_ptr<simdjson::dom::parser> m_parser;
    std::string m_body;  // the last response; the parsed document points into the parser
    size_t m_last_bytes = 0;
};

}  // namespace chainidx::rpc
