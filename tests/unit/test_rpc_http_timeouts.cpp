// HttpClient (src/core/rpc/http_client.cpp) against a node that trickles its answer a byte at a
// time: the total timeout and the low-speed limit each cut it off, and a timeout of 0 is never
// libcurl's "no timeout".
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/rpc/http_client.hpp"
#include "loopback_listener.hpp"

using namespace chainidx;
using namespace chainidx::rpc;
using Clock = std::chrono::steady_clock;

namespace {

// Accepts one connection, reads the request, then sends a reply one byte per `gap` until
// stopped (a reply that would take minutes to finish).
class TrickleServer {
  public:
    explicit TrickleServer(std::chrono::milliseconds gap) : m_gap(gap) {
        m_fd = test::listen_on_loopback(4, m_port);
        m_thread = std::thread([this] { run(); });
    }
    ~TrickleServer() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/"; }

  private:
    void run() {
        int c = -1;
        while (!m_stop && c < 0) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 20) > 0) c = ::accept(m_fd, nullptr, nullptr);
        }
        if (c < 0) return;
        char buf[4096];
        ::recv(c, buf, sizeof buf, 0);  // the request (small: one read is enough here)
        const std::string reply =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n" +
            std::string(100000, ' ');
        for (size_t i = 0; i < reply.size() && !m_stop; ++i) {
            if (::send(c, reply.data() + i, 1, MSG_NOSIGNAL) != 1) break;
            for (auto until = Clock::now() + m_gap; Clock::now() < until && !m_stop;)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::close(c);
    }

    std::chrono::milliseconds m_gap;
    int m_fd = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// Seconds until post_json gave up on the trickling server (it must throw).
double seconds_until_cut_off(HttpClient& http) {
    const auto t0 = Clock::now();
    CHECK_THROWS_AS(http.post_json("{}"), RpcError);
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

TEST_CASE("http_a_node_trickling_a_byte_a_second_is_cut_off_by_the_low_speed_limit") {
    TrickleServer node(std::chrono::milliseconds(1000));
    // A total timeout of a minute; the low-speed limit (below 64 bytes/s for 2 s) ends it first.
    HttpClient http(node.url(), 60000, 1 << 20, {}, 2);
    const double s = seconds_until_cut_off(http);
    CHECK(s >= 1.5);
    CHECK(s < 10);
}

TEST_CASE("http_the_total_timeout_ends_a_trickling_transfer") {
    TrickleServer node(std::chrono::milliseconds(20));  // 50 bytes/s: just below the limit
    HttpClient http(node.url(), 1500, 1 << 20);
    const double s = seconds_until_cut_off(http);
    CHECK(s >= 1.2);
    CHECK(s < 5);
}

TEST_CASE("http_a_timeout_of_zero_is_not_no_timeout") {
    TrickleServer node(std::chrono::milliseconds(1000));
    HttpClient http(node.url(), 0, 1 << 20);  // at least 1 ms: fails at once, never hangs
    CHECK(seconds_until_cut_off(http) < 5);
}
