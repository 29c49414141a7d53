// What the EVM adapter asks a node for, and in how many requests, against a canned in-test server
// on 127.0.0.1: the heights in one batch (one by one from then on when the node refuses a tag),
// and a span's logs in one batch with its headers, the last block's header first, so that the
// endpoint answering the logs has the span's blocks.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/chain/evm/evm_adapter.hpp"
#include "core/config/config.hpp"
#include "loopback_listener.hpp"

using namespace chainidx;

namespace {

// A node of blocks 0..100 without "safe"/"finalized" tags when `tags` is false. Answers single
// calls and batches, keeps every request body.
class FakeEvmNode {
  public:
    explicit FakeEvmNode(bool tags) : m_tags(tags) {
        m_fd = test::listen_on_loopback(16, m_port);
        m_thread = std::thread([this] { run(); });
    }
    ~FakeEvmNode() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/"; }
    std::vector<std::string> bodies() {
        std::lock_guard lock(m_mutex);
        return m_bodies;
    }

  private:
    static std::string hex(uint64_t n) {
        char b[24];
        std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(n));
        return b;
    }
    static std::string hash(uint64_t n) {
        char b[80];
        std::snprintf(b, sizeof b, "0x%064llx", static_cast<unsigned long long>(n + 1));
        return b;
    }
    std::string answer(const std::string& call) {
        static const std::regex id_re(R"re("id":(\d+))re"), method_re(R"re("method":"(\w+)")re"),
            param_re(R"re("params":\["([^"]+)")re");
        std::smatch m;
        std::regex_search(call, m, id_re);
        const std::string id = m[1];
        std::regex_search(call, m, method_re);
        const std::string method = m[1];
        auto result = [&](const std::string& r) {
            return R"({"jsonrpc":"2.0","id":)" + id + R"(,"result":)" + r + "}";
        };
        if (method == "eth_blockNumber") return result("\"" + hex(100) + "\"");
        if (method == "eth_getLogs") return result("[]");
        if (method == "eth_getBlockByNumber") {
            std::regex_search(call, m, param_re);
            const std::string p = m[1];
            uint64_t n;
            if (p == "safe" || p == "finalized") {
                if (!m_tags)
                    return R"({"jsonrpc":"2.0","id":)" + id +
                           R"(,"error":{"code":-32000,"message":"unknown block tag"}})";
                n = p == "safe" ? 90 : 80;
            } else {
                n = std::stoull(p, nullptr, 16);
            }
            return result(R"({"number":")" + hex(n) + R"(","hash":")" + hash(n) +
                          R"(","parentHash":")" + hash(n - 1) + R"(","timestamp":"0x1"})");
        }
        return R"({"jsonrpc":"2.0","id":)" + id +
               R"(,"error":{"code":-32601,"message":"no such method"}})";
    }
    std::string reply(const std::string& body) {
        std::string out;
        if (body[0] != '[') {
            out = answer(body);
        } else {  // one call per {...} at depth 1
            out = "[";
            int depth = 0;
            size_t start = 0;
            for (size_t i = 1; i < body.size(); ++i) {
                if (body[i] == '{' && depth++ == 0) start = i;
                if (body[i] == '}' && --depth == 0) {
                    if (out.size() > 1) out += ',';
                    out += answer(body.substr(start, i - start + 1));
                }
            }
            out += "]";
        }
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
               "Content-Length: " +
               std::to_string(out.size()) + "\r\n\r\n" + out;
    }
    void run() {
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) continue;
            std::string in;
            char buf[4096];
            size_t head_end;
            size_t length = 0;
            while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
                ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                in.append(buf, static_cast<size_t>(n));
            }
            if (head_end != std::string::npos) {
                std::string head = in.substr(0, head_end);
                for (char& ch : head) ch = static_cast<char>(std::tolower(ch));
                if (auto at = head.find("content-length:"); at != std::string::npos)
                    length = std::stoul(head.substr(at + 15));
                while (in.size() < head_end + 4 + length) {
                    ssize_t n = ::recv(c, buf, sizeof buf, 0);
                    if (n <= 0) break;
                    in.append(buf, static_cast<size_t>(n));
                }
                const std::string body = in.substr(head_end + 4, length);
                {
                    std::lock_guard lock(m_mutex);
                    m_bodies.push_back(body);
                }
                const std::string r = reply(body);
                ::send(c, r.data(), r.size(), MSG_NOSIGNAL);
            }
            ::shutdown(c, SHUT_WR);
            ::close(c);
        }
    }

    const bool m_tags;
    int m_fd = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::vector<std::string> m_bodies;
    std::thread m_thread;
};

config::ChainConfig chain_at(const std::string& url) {
    const std::string toml = "[chains.t]\nfamily = \"evm\"\nchain_id = 1\nrpc = [\"" + url +
                             "\"]\nfinality = \"tags\"\nfinality_depth = 10\nrpc_retries = 0\n";
    return config::parse(toml, "test.toml").chains.at("t");
}

size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("evm_heights_come_in_one_request") {
    FakeEvmNode node(true);
    const config::ChainConfig chain = chain_at(node.url());
    evm::EvmAdapter adapter(chain);
    const chain::Heights h = adapter.heights();
    CHECK(h.head == 100);
    CHECK(h.finalized == 80);
    CHECK(h.safe == 90);
    const auto bodies = node.bodies();
    REQUIRE(bodies.size() == 1);
    CHECK(count(bodies[0], "\"method\"") == 3);
}

TEST_CASE("evm_heights_without_tags_fall_back_to_one_request_each_and_to_depth") {
    FakeEvmNode node(false);
    const config::ChainConfig chain = chain_at(node.url());
    evm::EvmAdapter adapter(chain);
    chain::Heights h = adapter.heights();
    CHECK(h.head == 100);
    CHECK(h.finalized == 90);  // finality_depth 10
    h = adapter.heights();     // and no batch is tried again
    CHECK(h.finalized == 90);
    const auto bodies = node.bodies();
    // The refused batch, then head + two tags, then head + two tags again.
    REQUIRE(bodies.size() == 7);
    CHECK(bodies[0][0] == '[');
    for (size_t i = 1; i < bodies.size(); ++i) CHECK(bodies[i][0] == '{');
}

TEST_CASE("evm_span_asks_for_logs_with_the_last_blocks_header_first_in_one_request") {
    FakeEvmNode node(true);
    config::ChainConfig chain = chain_at(node.url());
    chain.batch_blocks.value = 20;
    evm::EvmAdapter adapter(chain);
    const chain::Fetched f = adapter.fetch(10, 19, false);
    CHECK(f.from == 10);
    REQUIRE(f.headers.size() == f.to - f.from + 1);
    for (size_t i = 0; i < f.headers.size(); ++i) CHECK(f.headers[i].number == f.from + i);
    const auto bodies = node.bodies();
    REQUIRE(bodies.size() == 1);
    const std::string& b = bodies[0];
    CHECK(count(b, "eth_getLogs") == 1);
    CHECK(count(b, "eth_getBlockByNumber") == f.to - f.from + 1);
    // The span's last header comes first, the logs last.
    const size_t first_header = b.find("eth_getBlockByNumber");
    char last[16];
    std::snprintf(last, sizeof last, "\"0x%llx\"", static_cast<unsigned long long>(f.to));
    CHECK(b.find(last, first_header) < b.find("eth_getBlockByNumber", first_header + 1));
    CHECK(b.rfind("eth_getLogs") > b.rfind("eth_getBlockByNumber"));
}
