#include "core/rpc/json_rpc.hpp"

#include "core/rpc/exact_numbers.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "core/metrics/metrics.hpp"

namespace chainidx::rpc {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string_view shorten(std::string_view s, size_t n = 200) {
    return s.substr(0, n);
}

std::string seconds(Clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
    return buf;
}

// Reports the outcome of one admitted attempt to its endpoint exactly once; an attempt left by
// an unexpected exception is released, so a half-open probe slot is never lost.
class Attempt {
  public:
    Attempt(Endpoint& endpoint, Admission admission)
        : m_endpoint(endpoint), m_admission(admission) {}
    Attempt(const Attempt&) = delete;
    Attempt& operator=(const Attempt&) = delete;
    ~Attempt() {
        if (!m_reported) m_endpoint.released(m_admission);
    }
    void succeeded() {
        report([&] { m_endpoint.succeeded(m_admission); });
    }
    void failed(const std::string& cause) {
        report([&] { m_endpoint.failed(m_admission, cause); });
    }
    void released() {
        report([&] { m_endpoint.released(m_admission); });
    }

  private:
    template <class F>
    void report(F f) {
        if (m_reported) return;
        m_reported = true;
        f();
    }
    Endpoint& m_endpoint;
    Admission m_admission;
    bool m_reported = false;
};

// Without the trailing newline servers put after a text body.
std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

bool has_member(simdjson::dom::element obj, const char* key) {
    simdjson::dom::element v;
    return obj[key].get(v) == simdjson::SUCCESS;
}

bool has_error(simdjson::dom::element obj) {
    simdjson::dom::element v;
    return obj["error"].get(v) == simdjson::SUCCESS && !v.is_null();
}

// What is wrong with the shape of a parsed response, empty when nothing. A wrong shape is a
// broken answer (retried, counted against the endpoint), not the node's verdict on the call.
std::string shape_problem(simdjson::dom::element doc, size_t batch_size) {
    if (batch_size == 0) {
        if (!doc.is_object()) return "the response is not a JSON object";
        if (!has_error(doc) && !has_member(doc, "result"))
            return "the response has neither result nor error";
        return "";
    }
    simdjson::dom::array arr;
    if (doc.get(arr) != simdjson::SUCCESS) {
        if (doc.is_object() && has_error(doc)) return "";  // the node refused the whole batch
        return "the batch response is not an array";
    }
    std::vector<bool> seen(batch_size, false);
    size_t count = 0;
    for (simdjson::dom::element item : arr) {
        uint64_t id = 0;
        if (!item.is_object() || item["id"].get(id) != simdjson::SUCCESS || id >= batch_size ||
            seen[id])
            return "a batch response item has a missing, unknown or repeated id";
        if (!has_error(item) && !has_member(item, "result"))
            return "batch response item " + std::to_string(id) + " has neither result nor error";
        seen[id] = true;
        ++count;
    }
    if (count != batch_size)
        return "the batch response has " + std::to_string(count) + " of " +
               std::to_string(batch_size) + " answers";
    return "";
}

}  // namespace

std::optional<simdjson::dom::element> read_response(simdjson::dom::parser& parser,
                                                    std::string& body, size_t batch_size,
                                                    bool exact_decimals, std::string& problem) {
    if (exact_decimals) body = quote_fractional_numbers(body);
    if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
        body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    auto err = parser.parse(body.data(), body.size(), false).get(doc);
    if (err) {
        problem = std::string("malformed or truncated JSON in the response (") +
                  simdjson::error_message(err) + ", " + std::to_string(body.size()) + " bytes)";
        return std::nullopt;
    }
    if (std::string p = shape_problem(doc, batch_size); !p.empty()) {
        problem = std::move(p);
        return std::nullopt;
    }
    return doc;
}

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

JsonRpcClient::~JsonRpcClient() = default;

void JsonRpcClient::trim() {
    // Small answers (heads, headers) keep their buffers: reallocating them would cost more.
    constexpr size_t k_keep_bytes = size_t(1) << 20;
    if (m_body.capacity() > k_keep_bytes) std::string().swap(m_body);
    if (m_parser->capacity() > k_keep_bytes) m_parser = std::make_unique<simdjson::dom::parser>();
}

JsonRpcClient::JsonRpcClient(ClientOptions options)
    : m_options(std::move(options)), m_parser(std::make_unique<simdjson::dom::parser>()) {
    if (m_options.endpoints.empty()) throw UsageError("no RPC endpoint configured");
    EndpointRegistry& reg = m_options.registry ? *m_options.registry : endpoint_registry();
    const EndpointLimits limits{m_options.rate_limit, m_options.max_concurrency,
                                m_options.breaker_failures,
                                std::chrono::milliseconds(m_options.breaker_cooldown_ms)};
    for (const std::string& url : m_options.endpoints)
        m_endpoints.push_back(reg.get(url, limits, m_options.chain));
    m_http.resize(m_endpoints.size());
}

HttpClient& JsonRpcClient::http() {
    auto& h = m_http[m_index];
    if (!h)
        h = std::make_unique<HttpClient>(m_options.endpoints[m_index], m_options.timeout_ms,
                                         m_options.max_response_bytes, m_options.ca_file);
    return *h;
}

Admission JsonRpcClient::admit_some_endpoint() {
    const auto now = Clock::now();
    for (size_t i = 0; i < m_endpoints.size(); ++i) {
        const size_t at = (m_index + i) % m_endpoints.size();
        Admission a = m_endpoints[at]->admit(now);
        if (a == Admission::refused) {
            spdlog::debug("rpc: circuit breaker for {} is open; skipping it",
                          m_endpoints[at]->display_url());
            continue;
        }
        m_index = at;
        return a;
    }
    return Admission::refused;
}

simdjson::dom::element JsonRpcClient::send(std::string_view method, const std::string& body,
                                           size_t batch_size) {
    thread_local std::mt19937 rng{std::random_device{}()};
    auto& reg = metrics::registry();
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::milliseconds(m_options.retry_budget_ms);
    long backoff_ms = std::max(1L, m_options.initial_backoff_ms);
    unsigned attempts = 0, failures = 0;
    std::string cause;  // of the last failure
    std::set<size_t> tried;
    // Every call starts at the preferred endpoint; open breakers make it skip failing ones.
    m_index = 0;
    for (;;) {
        const Admission admission = admit_some_endpoint();
        if (admission == Admission::refused) {
            auto when = Clock::time_point::max();
            for (const auto& e : m_endpoints) when = std::min(when, e->next_admit());
            // Waiting for a breaker is a retry of sorts: a caller that allows none fails now.
            if (when > deadline || m_options.retries == 0) {
                std::string names;
                for (const auto& e : m_endpoints)
                    names += (names.empty() ? "" : ", ") + e->display_url();
                throw RpcError(std::string(method) + ": circuit breaker open for every endpoint (" +
                                   names + "), and none half-opens within the retry budget " +
                                   "(rpc_retry_budget_ms " +
                                   std::to_string(m_options.retry_budget_ms) + ")" +
                                   (cause.empty() ? "" : "; last cause: " + cause),
                               true);
            }
            spdlog::debug("rpc: {}: every endpoint's circuit breaker is open; waiting {}", method,
                          seconds(when - Clock::now()));
            std::this_thread::sleep_until(when);
            continue;
        }
        Endpoint& ep = *m_endpoints[m_index];
        tried.insert(m_index);
        Attempt attempt(ep, admission);
        metrics::Labels labels{{"method", std::string(method)}, {"endpoint", ep.display_url()}};
        if (!m_options.chain.empty()) labels.emplace(labels.begin(), "chain", m_options.chain);
        // The three series of a method and endpoint are created together, so an error-rate
        // panel or alert has its series (at 0) before the first error.
        auto& requests_total = reg.counter("chainidx_rpc_requests_total",
                                           "JSON-RPC requests sent (batches count once)", labels);
        auto& errors_total =
            reg.counter("chainidx_rpc_errors_total",
                        "JSON-RPC requests that failed in transport, HTTP status or JSON", labels);
        auto& retries_total = reg.counter("chainidx_rpc_retries_total",
                                          "JSON-RPC requests retried after a failure", labels);
        auto where = [&] { return std::string(method) + " via " + ep.display_url(); };
        std::optional<long> retry_after_s;
        {
            Endpoint::Slot slot = ep.acquire();
            ++attempts;
            requests_total.add();
            try {
                HttpResponse resp = http().post_json(body);
                m_last_bytes = resp.body.size();
                if (resp.status == 200) {
                    m_body = std::move(resp.body);
                    if (auto doc = read_response(*m_parser, m_body, batch_size,
                                                 m_options.exact_decimals, cause)) {
                        attempt.succeeded();
                        return *doc;
                    }
                } else if (auto doc = node_error_answer(resp)) {
                    attempt.succeeded();  // the node's verdict on the call, sent as HTTP 500/404
                    return *doc;
                } else {
                    cause = "HTTP " + std::to_string(resp.status);
                    if (!resp.body.empty())
                        cause += ": " + trimmed(shorten(http().scrub(shorten(resp.body, 400))));
                    const bool retryable =
                        resp.status == 429 || resp.status >= 500 || resp.status == 408;
                    if (!retryable) {
                        attempt.released();  // our request or credentials, not the endpoint
                        throw RpcError(cause, false);  // the catch below says where
                    }
                    if (resp.status == 429) ep.throttled(slot.sent_at());
                    ep.congested(slot.sent_at());
                    if (resp.status == 429 || resp.status == 503) {
                        retry_after_s = resp.retry_after_s;
                        // It binds every client of the endpoint, not only this call.
                        if (retry_after_s) ep.pause(*retry_after_s);
                    }
                }
            } catch (const ResponseTooLarge& e) {
                attempt.released();
                throw CallError(where() + ": " + e.what(), 0, e.what(), false);
            } catch (const RpcError& e) {
                if (!e.retryable()) {
                    attempt.released();
                    throw RpcError(where() + ": " + e.what(), false);
                }
                cause = e.what();
                ep.congested(slot.sent_at());  // a timeout or a cut connection
            }
        }  // the concurrency slot is free while we back off
        attempt.failed(cause);
        ++failures;
        errors_total.add();

        // Every second failure moves on to the next endpoint; Retry-After binds only the one
        // that said it.
        const bool move_on = failures % 2 == 0 && m_endpoints.size() > 1;
        const long base_ms = std::min(backoff_ms, m_options.max_backoff_ms);
        long wait_ms = std::min<long>(
            m_options.max_backoff_ms,
            static_cast<long>(base_ms * std::uniform_real_distribution<double>(0.8, 1.2)(rng)));
        if (retry_after_s && !move_on) wait_ms = std::max(wait_ms, *retry_after_s * 1000);
        const auto now = Clock::now();
        const bool out_of_retries = attempts > m_options.retries;
        const bool out_of_budget = now + std::chrono::milliseconds(wait_ms) > deadline;
        if (out_of_retries || out_of_budget) {
            std::string msg = where() + ": gave up after " + std::to_string(attempts) +
                              (attempts == 1 ? " attempt" : " attempts") + " over " +
                              seconds(now - start) + " (" +
                              (out_of_retries ? "rpc_retries " + std::to_string(m_options.retries)
                                              : "rpc_retry_budget_ms " +
                                                    std::to_string(m_options.retry_budget_ms)) +
                              " reached)";
            if (tried.size() > 1) {
                msg += "; endpoints tried:";
                for (size_t i : tried) msg += " " + m_endpoints[i]->display_url();
            }
            msg += "; last cause: " + cause;
            if (retry_after_s && !out_of_retries)
                msg += " (Retry-After " + std::to_string(*retry_after_s) + " s)";
            throw RpcError(msg, true);
        }
        spdlog::warn("rpc: {}: {}; retry {}/{} in {} ms", where(), cause, attempts,
                     m_options.retries, wait_ms);
        retries_total.add();
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
        backoff_ms = std::min(backoff_ms * 2, std::max(1L, m_options.max_backoff_ms));
        if (move_on) {
            m_index = (m_index + 1) % m_endpoints.size();
            spdlog::warn("rpc: failing over to {}", m_endpoints[m_index]->display_url());
        }
    }
}

// Bitcoin Core before 28 answers a failed single call with HTTP 500 (404: unknown method) and
// a JSON-RPC body whose error says why: that is an answer, not a transport failure.
std::optional<simdjson::dom::element> JsonRpcClient::node_error_answer(HttpResponse& resp) {
    if (resp.status != 500 && resp.status != 404) return std::nullopt;
    std::string body = resp.body;
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    if (m_parser->parse(body.data(), body.size(), false).get(doc) != simdjson::SUCCESS ||
        !doc.is_object() || !has_error(doc))
        return std::nullopt;
    m_body = std::move(body);  // the document points into m_body
    if (m_parser->parse(m_body.data(), m_body.size(), false).get(doc) != simdjson::SUCCESS)
        return std::nullopt;
    return doc;
}

simdjson::dom::element JsonRpcClient::result_of(simdjson::dom::element response,
                                                std::string_view method) {
    if (has_error(response)) {
        simdjson::dom::element error = response["error"];
        int64_t code = 0;
        std::string_view message;
        if (error["code"].get(code) != simdjson::SUCCESS) code = 0;
        if (error["message"].get(message) != simdjson::SUCCESS) message = "(no message)";
        throw CallError(std::string(method) + " via " + endpoint() + ": node error " +
                            std::to_string(code) + ": " +
                            std::string(shorten(http().scrub(message))),
                        code, std::string(message), false);
    }
    simdjson::dom::element result;
    if (response["result"].get(result) != simdjson::SUCCESS)  // send() checked; kept for safety
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
    return result_of(send(method, body, 0), method);
}

std::vector<simdjson::dom::element> JsonRpcClient::batch(std::string_view method,
                                                         const std::vector<std::string>& params) {
    std::vector<Call> calls;
    calls.reserve(params.size());
    for (const std::string& p : params) calls.push_back({method, p});
    return batch_calls(method, calls);
}

std::vector<simdjson::dom::element> JsonRpcClient::batch_calls(std::string_view label,
                                                               const std::vector<Call>& calls) {
    std::vector<simdjson::dom::element> out(calls.size());
    if (calls.empty()) return out;
    std::string body = "[";
    for (size_t i = 0; i < calls.size(); ++i) {
        if (i) body += ',';
        body.append(R"({"jsonrpc":"2.0","id":)")
            .append(std::to_string(i))
            .append(R"(,"method":")")
            .append(calls[i].method)
            .append(R"(","params":)")
            .append(calls[i].params_json)
            .append("}");
    }
    body += ']';
    simdjson::dom::element doc = send(label, body, calls.size());
    simdjson::dom::array arr;
    if (doc.get(arr) != simdjson::SUCCESS) {
        (void)result_of(doc, label);  // a whole-batch error object: throws CallError
        throw RpcError(
            std::string(label) + " batch via " + endpoint() + ": response is not an array", true);
    }
    // send() checked that every id in [0, size) answers exactly once.
    for (simdjson::dom::element item : arr) {
        uint64_t id = 0;
        if (item["id"].get(id) == simdjson::SUCCESS) out[id] = result_of(item, calls[id].method);
    }
    return out;
}

}  // namespace chainidx::rpc
