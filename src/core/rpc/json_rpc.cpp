#include "core/rpc/json_rpc.hpp"

#include <spdlog/spdlog.h>

#include "core/metrics/metrics.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace chainidx::rpc {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string_view shorten(std::string_view s, size_t n = 200) {
    return s.substr(0, n);
}

}  // namespace

bool CallError::result_too_large() const {
    // Providers word it differently; these are the ones seen from geth, erigon, Alchemy, Infura,
    // QuickNode, Ankr and anvil.
    const std::string m = lower(m_message);
    for (const char* needle :
         {"more than", "too many", "limit exceeded", "range is too large", "block range",
          "response size", "query timeout", "exceed", "too large", "range too wide"})
        if (m.find(needle) != std::string::npos) return true;
    return m_code == -32005;
}

JsonRpcClient::JsonRpcClient(ClientOptions options) : m_options(std::move(options)) {
    if (m_options.endpoints.empty()) throw UsageError("no RPC endpoint configured");
    m_http = std::make_unique<HttpClient>(m_options.endpoints[0], m_options.timeout_ms,
                                          m_options.max_response_bytes);
}

void JsonRpcClient::fail_over() {
    if (m_options.endpoints.size() < 2) return;
    m_endpoint_index = (m_endpoint_index + 1) % m_options.endpoints.size();
    m_http = std::make_unique<HttpClient>(m_options.endpoints[m_endpoint_index],
                                          m_options.timeout_ms, m_options.max_response_bytes);
    spdlog::warn("rpc: failing over to {}", m_http->display_url());
}

simdjson::dom::element JsonRpcClient::send(std::string_view method, const std::string& body) {
    thread_local std::mt19937 rng{std::random_device{}()};
    long backoff_ms = m_options.initial_backoff_ms;
    const metrics::Labels labels{{"method", std::string(method)}, {"endpoint", endpoint()}};
    auto& reg = metrics::registry();
    for (unsigned attempt = 0;; ++attempt) {
        reg.counter("chainidx_rpc_requests_total", "JSON-RPC requests sent (batches count once)",
                    labels)
            .add();
        std::string problem;
        long wait_ms = backoff_ms + std::uniform_int_distribution<long>(0, backoff_ms / 2)(rng);
        try {
            HttpResponse resp = m_http->post_json(body);
            m_last_bytes = resp.body.size();
            if (resp.status == 200) {
                m_body = std::move(resp.body);
                if (m_body.capacity() < m_body.size() + simdjson::SIMDJSON_PADDING)
                    m_body.reserve(m_body.size() + simdjson::SIMDJSON_PADDING);
                simdjson::dom::element doc;
                auto err = m_parser.parse(m_body.data(), m_body.size(), false).get(doc);
                if (err)
                    throw RpcError(std::string(method) + " via " + endpoint() +
                                       ": malformed JSON in the response (" +
                                       simdjson::error_message(err) + ", " +
                                       std::to_string(m_body.size()) + " bytes)",
                                   true);
                return doc;
            }
            problem = "HTTP " + std::to_string(resp.status);
            if (!resp.body.empty()) problem += ": " + std::string(shorten(resp.body));
            bool retryable = resp.status == 429 || resp.status >= 500 || resp.status == 408;
            if (!retryable)
                throw RpcError(std::string(method) + " via " + endpoint() + ": " + problem, false);
            if (resp.retry_after_s) wait_ms = std::max(wait_ms, *resp.retry_after_s * 1000);
        } catch (const RpcError& e) {
            if (!e.retryable()) throw;
            problem = e.what();
        }
        reg.counter("chainidx_rpc_errors_total",
                    "JSON-RPC requests that failed in transport, HTTP status or JSON", labels)
            .add();
        if (attempt >= m_options.retries)
            throw RpcError(std::string(method) + " via " + endpoint() + ": " + problem +
                               " (gave up after " + std::to_string(attempt + 1) + " attempts)",
                           true);
        spdlog::warn("rpc: {} via {}: {}; retry {}/{} in {} ms", method, endpoint(), problem,
                     attempt + 1, m_options.retries, wait_ms);
        reg.counter("chainidx_rpc_retries_total", "JSON-RPC requests retried after a failure",
                    labels)
            .add();
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
        backoff_ms = std::min(backoff_ms * 2, 8000L);
        if (attempt % 2 == 1) fail_over();
    }
}

simdjson::dom::element JsonRpcClient::result_of(simdjson::dom::element response,
                                                std::string_view method) {
    simdjson::dom::element error;
    if (response["error"].get(error) == simdjson::SUCCESS && !error.is_null()) {
        int64_t code = 0;
        std::string_view message;
        if (error["code"].get(code) != simdjson::SUCCESS) code = 0;
        if (error["message"].get(message) != simdjson::SUCCESS) message = "(no message)";
        CallError e(std::string(method) + " via " + endpoint() + ": node error " +
                        std::to_string(code) + ": " + std::string(shorten(message)),
                    code, std::string(message), false);
        throw e;
    }
    simdjson::dom::element result;
    if (response["result"].get(result) != simdjson::SUCCESS)
        throw RpcError(
            std::string(method) + " via " + endpoint() + ": response has neither result nor error",
            true);
    return result;
}

simdjson::dom::element JsonRpcClient::call(std::string_view method, std::string_view params_json) {
    std::string body;
    body.reserve(64 + method.size() + params_json.size());
    body.append(R"({"jsonrpc":"2.0","id":1,"method":")")
        .append(method)
        .append(R"(","params":)")
        .append(params_json)
        .append("}");
    simdjson::dom::element doc = send(method, body);
    if (!doc.is_object())
        throw RpcError(std::string(method) + " via " + endpoint() + ": response is not an object",
                       true);
    return result_of(doc, method);
}

std::vector<simdjson::dom::element> JsonRpcClient::batch(std::string_view method,
                                                         const std::vector<std::string>& params) {
    std::vector<simdjson::dom::element> out(params.size());
    if (params.empty()) return out;
    std::string body = "[";
    for (size_t i = 0; i < params.size(); ++i) {
        if (i) body += ',';
        body.append(R"({"jsonrpc":"2.0","id":)")
            .append(std::to_string(i))
            .append(R"(,"method":")")
            .append(method)
            .append(R"(","params":)")
            .append(params[i])
            .append("}");
    }
    body += ']';
    simdjson::dom::element doc = send(method, body);
    simdjson::dom::array arr;
    if (doc.get(arr) != simdjson::SUCCESS) {
        if (doc.is_object()) (void)result_of(doc, method);  // a whole-batch error object
        throw RpcError(
            std::string(method) + " batch via " + endpoint() + ": response is not an array", true);
    }
    std::vector<bool> seen(params.size(), false);
    for (simdjson::dom::element item : arr) {
        uint64_t id = 0;
        if (item["id"].get(id) != simdjson::SUCCESS || id >= params.size() || seen[id])
            throw RpcError(std::string(method) + " batch via " + endpoint() +
                               ": response item with a missing, unknown or repeated id",
                           true);
        seen[id] = true;
        out[id] = result_of(item, method);
    }
    for (size_t i = 0; i < params.size(); ++i)
        if (!seen[i])
            throw RpcError(std::string(method) + " batch via " + endpoint() + ": answer to " +
                               params[i] + " is missing",
                           true);
    return out;
}

}  // namespace chainidx::rpc
