#include "core/metrics/http_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "core/metrics/metrics.hpp"

namespace chainidx::metrics {

namespace {

void send_all(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the scraper went away; nothing to do
        sent += static_cast<size_t>(n);
    }
}

std::string response(int status, const char* reason, const char* type, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           body;
}

}  // namespace

ListenAddress parse_listen_address(const std::string& address) {
    const std::string form = " ([HOST:]PORT, e.g. 127.0.0.1:9464)";
    // A bare PORT or :PORT listens on the loopback only: metrics are not for the world.
    const auto colon = address.rfind(':');
    ListenAddress a{"127.0.0.1", address};
    if (colon != std::string::npos) {
        a.host = address.substr(0, colon);
        a.port = address.substr(colon + 1);
        if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
            a.host = a.host.substr(1, a.host.size() - 2);
        if (a.host.empty()) a.host = "127.0.0.1";
    }
    // Digits only, so getaddrinfo never reads 0x… or a service name; at most 5 of them.
    const bool digits = !a.port.empty() && a.port.size() <= 5 &&
                        a.port.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoul(a.port) < 1 || std::stoul(a.port) > 65535)
        throw std::invalid_argument("\"" + address + "\": the port must be 1..65535" + form);
    return a;
}

HttpServer::HttpServer(const std::string& address) {
    ListenAddress parsed;
    try {
        parsed = parse_listen_address(address);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
    const std::string& host = parsed.host;
    const std::string& port = parsed.port;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("\"" + address + "\": " + ::gai_strerror(rc));
    std::string error = "no address";
    for (addrinfo* a = found; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        int on = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
            m_listen_fd = fd;
            break;
        }
        error = std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(found);
    if (m_listen_fd < 0) throw std::runtime_error("cannot listen on " + address + ": " + error);
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
    m_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    m_thread = std::thread([this] { serve(); });
}

HttpServer::~HttpServer() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    if (m_listen_fd >= 0) ::close(m_listen_fd);
}

void HttpServer::serve() {
    while (!m_stop) {
        pollfd p{m_listen_fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;  // wakes up to notice a stop
        int client = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        answer(client);
        ::close(client);
    }
}

void HttpServer::answer(int client) {
    // The request line is all that matters; read until the end of the headers (bounded).
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
        pollfd p{client, POLLIN, 0};
        if (::poll(&p, 1, 2000) <= 0) return;  // a slow or silent client is dropped
        ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n <= 0) return;
        request.append(buf, static_cast<size_t>(n));
    }
    const bool get = request.rfind("GET ", 0) == 0;
    const std::string path = get ? request.substr(4, request.find(' ', 4) - 4) : "";
    if (!get)
        send_all(client, response(405, "Method Not Allowed", "text/plain", "GET only\n"));
    else if (path == "/metrics")
        send_all(client, response(200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                                  registry().exposition()));
    else if (path == "/healthz")
        send_all(client, response(200, "OK", "text/plain", "ok\n"));
    else
        send_all(client, response(404, "Not Found", "text/plain", "try /metrics\n"));
}

}  // namespace chainidx::metrics
