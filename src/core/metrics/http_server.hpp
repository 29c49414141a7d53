#pragma once
// A minimal HTTP endpoint for Prometheus to scrape while a long run (`scan --follow`) is going:
// GET /metrics answers the registry's exposition, GET /healthz "ok". One thread, one request per
// connection, loopback by default: it serves only what a scraper needs.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace chainidx::metrics {

struct ListenAddress {
    std::string host;  // a name or address; "[V6]" without its brackets
    std::string port;  // 1..65535, decimal
};
// "HOST:PORT" or "[V6]:PORT": both parts given, the port a decimal number 1..65535. Throws
// std::invalid_argument saying what is wrong (used to check --metrics-addr before a run).
ListenAddress parse_listen_address(const std::string& address);

class HttpServer {
  public:
    // `address` as parse_listen_address takes it. Throws std::runtime_error saying why it
    // cannot listen (bad address, port in use).
    explicit HttpServer(const std::string& address);
    ~HttpServer();  // stops and joins
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    uint16_t port() const { return m_port; }  // the bound port (useful with port 0)

  private:
    void serve();
    void answer(int client);

    int m_listen_fd = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace chainidx::metrics
