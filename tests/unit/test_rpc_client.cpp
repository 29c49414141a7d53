// JsonRpcClient over real HTTP (src/core/rpc/json_rpc.hpp) against a tiny in-test server on
// 127.0.0.1 that plays canned replies: the response cap, malformed and truncated answers, node
// errors, 429 with Retry-After, the retry count and budget, breakers with failover, and endpoint
// state shared by two clients. Every error names the method and the endpoint, never its key.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/rpc/json_rpc.hpp"
#include "loopback_listener.hpp"

using namespace chainidx;
using namespace chainidx::rpc;

namespace {

// One connection at a time, one request per connection (replies say Connection: close).
class FakeServer {
  public:
    // Gets the request number (from 0) and body; returns the raw HTTP reply, "" to hang up.
    using Handler = std::function<std::string(int n, const std::string& body)>;

    explicit FakeServer(Handler handler) : m_handler(std::move(handler)) {
        m_fd = test::listen_on_loopback(16, m_port);
        m_thread = std::thread([this] { run(); });
    }
    ~FakeServer() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }
    // The path stands in for a provider's API key, which must never show in errors.
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(m_port) + "/v2/SECRETKEY";
    }
    std::string shown() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/***"; }
    int requests() const { return m_requests.load(); }

  private:
    void run() {
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) continue;
            serve(c);
            ::close(c);
        }
    }
    void serve(int c) {
        std::string in;
        char buf[4096];
        size_t head_end;
        while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            in.append(buf, static_cast<size_t>(n));
        }
        std::string head = in.substr(0, head_end);
        for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        size_t length = 0;
        if (auto at = head.find("content-length:"); at != std::string::npos)
            length = std::stoul(head.substr(at + 15));
        while (in.size() < head_end + 4 + length) {
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            in.append(buf, static_cast<size_t>(n));
        }
        std::string reply = m_handler(m_requests++, in.substr(head_end + 4, length));
        for (size_t off = 0; off < reply.size();) {
            ssize_t n = ::send(c, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
            if (n <= 0) break;  // the client hung up (a response over the cap)
            off += static_cast<size_t>(n);
        }
        ::shutdown(c, SHUT_WR);
    }

    Handler m_handler;
    int m_fd = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
};

std::string http(int status, const std::string& body, const std::string& headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + headers + "\r\n" + body;
}
std::string ok(const std::string& result) {
    return http(200, R"({"jsonrpc":"2.0","id":1,"result":)" + result + "}");
}

ClientOptions options(const std::vector<std::string>& endpoints, EndpointRegistry& reg) {
    ClientOptions o;
    o.endpoints = endpoints;
    o.timeout_ms = 2000;
    o.retries = 2;
    o.retry_budget_ms = 5000;
    o.initial_backoff_ms = 1;
    o.max_backoff_ms = 5;
    o.registry = &reg;
    return o;
}

template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    FAIL("expected an error");
    return "";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("rpc_client_calls_and_batches") {
    FakeServer s([](int, const std::string& body) {
        if (body[0] == '[')  // answers out of order
            return http(200, R"([{"jsonrpc":"2.0","id":1,"result":"b"},)"
                             R"({"jsonrpc":"2.0","id":0,"result":"a"}])");
        return ok(R"("0x10")");
    });
    EndpointRegistry reg;
    JsonRpcClient c(options({s.url()}, reg));
    CHECK(std::string_view(c.call("eth_blockNumber", "[]")) == "0x10");
    auto r = c.batch("eth_getBlockByNumber", {R"(["0x1",false])", R"(["0x2",false])"});
    REQUIRE(r.size() == 2);
    CHECK(std::string_view(r[0]) == "a");
    CHECK(std::string_view(r[1]) == "b");
    CHECK(c.endpoint() == s.shown());
}

TEST_CASE("rpc_response_over_the_cap_is_an_error_naming_method_and_endpoint") {
    const std::string big(5000, 'a');
    for (bool with_length : {true, false}) {
        CAPTURE(with_length);
        FakeServer s([&](int, const std::string&) {
            std::string body = R"({"jsonrpc":"2.0","id":1,"result":")" + big + "\"}";
            // Without Content-Length curl cannot refuse up front: the write callback cuts it off.
            return with_length ? http(200, body)
                               : "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body;
        });
        EndpointRegistry reg;
        ClientOptions o = options({s.url()}, reg);
        o.max_response_bytes = 1000;
        JsonRpcClient c(o);
        try {
            c.call("eth_getLogs", "[{}]");
            FAIL("expected an error");
        } catch (const CallError& e) {
            std::string m = e.what();
            CHECK(m.find("eth_getLogs via " + s.shown()) != std::string::npos);
            CHECK(m.find("1000 bytes cap") != std::string::npos);
            CHECK(m.find("SECRETKEY") == std::string::npos);
            CHECK(e.result_too_large());  // so eth_getLogs splits its range
        }
        CHECK(s.requests() == 1);  // not retried: the same request gets the same answer
        CHECK_FALSE(reg.any_breaker_open());
    }
}

TEST_CASE("rpc_malformed_or_truncated_response_is_an_error_naming_method_and_endpoint") {
    const std::vector<std::pair<const char*, std::string>> replies = {
        {"not JSON", http(200, "<html>bad gateway</html>")},
        {"truncated JSON",
         "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
         R"({"jsonrpc":"2.0","id":1,"result":{"number":"0x1)"},
        {"cut short of its Content-Length",
         "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 500\r\n\r\n"
         R"({"jsonrpc":"2.0","id":1,"res)"},
        {"empty body", http(200, "")},
        {"neither result nor error", http(200, R"({"jsonrpc":"2.0","id":1})")},
        {"not an object", http(200, R"([1,2])")},
        {"no reply at all", ""},
    };
    for (const auto& item : replies) {  // not [what, reply]: clang 14 cannot capture those
        const char* what = item.first;
        const std::string& reply = item.second;
        CAPTURE(what);
        FakeServer s([&](int, const std::string&) { return reply; });
        EndpointRegistry reg;
        JsonRpcClient c(options({s.url()}, reg));
        std::string m = error_of([&] { c.call("eth_getBlockByNumber", R"(["0x1",false])"); });
        CHECK(m.find("eth_getBlockByNumber via " + s.shown()) != std::string::npos);
        CHECK(m.find("gave up after 3 attempts") != std::string::npos);
        CHECK(m.find("last cause:") != std::string::npos);
        CHECK(m.find("SECRETKEY") == std::string::npos);
        CHECK(s.requests() == 3);  // retried: a broken answer may be the proxy's, not the node's
    }
}

TEST_CASE("rpc_malformed_batch_answers_are_errors_naming_the_method") {
    for (const char* body :
         {R"([{"jsonrpc":"2.0","id":0,"result":"a"}])",
          R"([{"jsonrpc":"2.0","id":0,"result":"a"},{"jsonrpc":"2.0","id":0,"result":"a"}])",
          R"([{"jsonrpc":"2.0","id":0,"result":"a"},{"jsonrpc":"2.0","id":7,"result":"a"}])",
          R"({"jsonrpc":"2.0","id":0,"result":"a"})"}) {
        CAPTURE(body);
        FakeServer s([&](int, const std::string&) { return http(200, body); });
        EndpointRegistry reg;
        JsonRpcClient c(options({s.url()}, reg));
        std::string m = error_of([&] { c.batch("eth_call", {"[1]", "[2]"}); });
        CHECK(m.find("eth_call via " + s.shown()) != std::string::npos);
    }
}

TEST_CASE("rpc_node_error_is_a_call_error_not_retried_and_not_held_against_the_endpoint") {
    FakeServer s([](int, const std::string&) {
        return http(200,
                    R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"bad params"}})");
    });
    EndpointRegistry reg;
    ClientOptions o = options({s.url()}, reg);
    o.breaker_failures = 1;
    JsonRpcClient c(o);
    for (int i = 0; i < 3; ++i) {
        try {
            c.call("eth_call", "[]");
            FAIL("expected a CallError");
        } catch (const CallError& e) {
            CHECK(e.code() == -32602);
            CHECK(std::string(e.what()).find("eth_call via " + s.shown()) != std::string::npos);
        }
    }
    CHECK(s.requests() == 3);
    CHECK_FALSE(reg.any_breaker_open());
}

TEST_CASE("rpc_bitcoin_core_legacy_error_over_http_500_is_the_nodes_answer_not_a_failure") {
    // Bitcoin Core before 28 sends a failed call's JSON-RPC error with HTTP 500 (404: unknown
    // method); a text 500 stays a retried failure.
    FakeServer s([](int n, const std::string&) {
        if (n == 0)
            return http(500, R"({"result":null,"error":{"code":-8,"message":"Block height out )"
                             R"(of range"},"id":1})");
        if (n == 1)
            return http(404, R"({"result":null,"error":{"code":-32601,"message":)"
                             R"("Method not found"},"id":1})");
        if (n == 2) return http(500, "Internal Server Error\n");
        return ok("7");
    });
    EndpointRegistry reg;
    JsonRpcClient c(options({s.url()}, reg));
    try {
        c.call("getblockhash", "[99]");
        FAIL("expected a CallError");
    } catch (const CallError& e) {
        CHECK(e.code() == -8);
        CHECK(e.node_message() == "Block height out of range");
    }
    CHECK_THROWS_AS(c.call("getnothing", "[]"), CallError);
    uint64_t v = 0;
    CHECK(c.call("getblockcount", "[]").get(v) == simdjson::SUCCESS);  // after one retry
    CHECK(v == 7);
    CHECK(s.requests() == 4);
}

TEST_CASE("rpc_exact_decimals_hands_fractional_numbers_over_as_their_text") {
    FakeServer s([](int, const std::string&) { return ok(R"({"value":0.00000001,"n":1})"); });
    EndpointRegistry reg;
    ClientOptions o = options({s.url()}, reg);
    o.exact_decimals = true;
    JsonRpcClient c(o);
    auto r = c.call("getblock", "[]");
    CHECK(std::string_view(r["value"]) == "0.00000001");
    uint64_t n = 0;
    CHECK(r["n"].get(n) == simdjson::SUCCESS);
    CHECK(n == 1);
}

TEST_CASE("rpc_429_honours_retry_after_and_lowers_the_endpoint_rate") {
    FakeServer s([](int n, const std::string&) {
        if (n == 0) return http(429, R"({"error":"slow down"})", "Retry-After: 1\r\n");
        return ok(R"("0x1")");
    });
    EndpointRegistry reg;
    JsonRpcClient c(options({s.url()}, reg));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(std::string_view(c.call("eth_chainId", "[]")) == "0x1");
    CHECK(seconds_since(t0) >= 0.95);
    CHECK(s.requests() == 2);
    // Learned for the rest of the run, by every client of the endpoint.
    CHECK(reg.get(s.url(), {})->rate() == 1);

    // A Retry-After beyond the budget is not waited for.
    FakeServer never(
        [](int, const std::string&) { return http(429, "", "Retry-After: 3600\r\n"); });
    JsonRpcClient d(options({never.url()}, reg));
    const auto t1 = std::chrono::steady_clock::now();
    std::string m = error_of([&] { d.call("eth_chainId", "[]"); });
    CHECK(seconds_since(t1) < 1.0);
    CHECK(m.find("eth_chainId via " + never.shown()) != std::string::npos);
    CHECK(m.find("HTTP 429") != std::string::npos);
    CHECK(m.find("Retry-After 3600 s") != std::string::npos);
}

TEST_CASE("rpc_retry_budget_ends_retries_with_attempts_duration_and_last_cause") {
    FakeServer s([](int, const std::string&) { return http(503, "down for maintenance"); });
    EndpointRegistry reg;
    ClientOptions o = options({s.url()}, reg);
    o.retries = 1000;
    o.retry_budget_ms = 300;
    o.initial_backoff_ms = 40;
    o.max_backoff_ms = 100;
    o.breaker_failures = 0;
    JsonRpcClient c(o);
    const auto t0 = std::chrono::steady_clock::now();
    std::string m = error_of([&] { c.call("eth_getLogs", "[{}]"); });
    CHECK(seconds_since(t0) < 1.5);
    CHECK(m.find("eth_getLogs via " + s.shown() + ": gave up after ") != std::string::npos);
    CHECK(m.find("rpc_retry_budget_ms 300 reached") != std::string::npos);
    CHECK(m.find("last cause: HTTP 503: down for maintenance") != std::string::npos);
    CHECK(s.requests() >= 3);
    CHECK(s.requests() < 10);
}

TEST_CASE("rpc_open_breaker_fails_over_to_the_next_endpoint_without_sending") {
    FakeServer bad([](int, const std::string&) { return http(502, "bad gateway"); });
    FakeServer good([](int, const std::string&) { return ok(R"("0x2a")"); });
    EndpointRegistry reg;
    ClientOptions o = options({bad.url(), good.url()}, reg);
    o.breaker_failures = 2;
    o.breaker_cooldown_ms = 60000;
    JsonRpcClient c(o);
    // Two failures open the first endpoint's breaker, and the client moves on.
    CHECK(std::string_view(c.call("eth_blockNumber", "[]")) == "0x2a");
    CHECK(bad.requests() == 2);
    CHECK(reg.any_breaker_open());
    // Later calls start at the preferred endpoint, find it open and skip it at once.
    for (int i = 0; i < 3; ++i) CHECK(std::string_view(c.call("eth_blockNumber", "[]")) == "0x2a");
    CHECK(bad.requests() == 2);
    CHECK(good.requests() == 4);
}

TEST_CASE("rpc_every_breaker_open_waits_for_the_probe_within_the_budget_else_fails_clearly") {
    // Within the budget: wait for the cooldown, probe, succeed.
    FakeServer flaky(
        [](int n, const std::string&) { return n == 0 ? http(500, "oops") : ok(R"("0x1")"); });
    EndpointRegistry reg;
    ClientOptions o = options({flaky.url()}, reg);
    o.breaker_failures = 1;
    o.breaker_cooldown_ms = 200;
    JsonRpcClient c(o);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(std::string_view(c.call("eth_chainId", "[]")) == "0x1");
    CHECK(seconds_since(t0) >= 0.19);
    CHECK(flaky.requests() == 2);
    CHECK_FALSE(reg.any_breaker_open());  // the probe closed it

    // Beyond the budget: a clear error naming every endpoint, and nothing sent to them.
    FakeServer a([](int, const std::string&) { return http(500, "a"); });
    FakeServer b([](int, const std::string&) { return http(500, "b"); });
    ClientOptions p = options({a.url(), b.url()}, reg);
    p.breaker_failures = 1;
    p.breaker_cooldown_ms = 60000;
    p.retries = 10;
    JsonRpcClient d(p);
    std::string m = error_of([&] { d.call("eth_getLogs", "[{}]"); });
    CHECK(m.find("eth_getLogs: circuit breaker open for every endpoint (" + a.shown() + ", " +
                 b.shown() + ")") != std::string::npos);
    CHECK(m.find("last cause: HTTP 500") != std::string::npos);
    CHECK(m.find("SECRETKEY") == std::string::npos);
    CHECK(a.requests() == 1);
    CHECK(b.requests() == 1);
    m = error_of([&] { d.call("eth_getLogs", "[{}]"); });
    CHECK(m.find("circuit breaker open for every endpoint") != std::string::npos);
    CHECK(a.requests() + b.requests() == 2);
}

TEST_CASE("rpc_two_clients_of_one_endpoint_share_its_breaker") {
    FakeServer s([](int, const std::string&) { return http(500, "internal error"); });
    EndpointRegistry reg;
    ClientOptions o = options({s.url()}, reg);
    o.breaker_failures = 3;
    o.breaker_cooldown_ms = 60000;
    JsonRpcClient main_thread_client(o);
    JsonRpcClient fetch_thread_client(o);
    std::string m = error_of([&] { main_thread_client.call("eth_blockNumber", "[]"); });
    CHECK(m.find("eth_blockNumber via " + s.shown() + ": gave up after 3 attempts over ") !=
          std::string::npos);
    CHECK(m.find("last cause: HTTP 500: internal error") != std::string::npos);
    CHECK(s.requests() == 3);
    // The other client knows the endpoint is down without asking it.
    m = error_of([&] { fetch_thread_client.call("eth_getLogs", "[{}]"); });
    CHECK(m.find("circuit breaker open") != std::string::npos);
    CHECK(s.requests() == 3);
}
