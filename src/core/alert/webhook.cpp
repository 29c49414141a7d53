#include "core/alert/webhook.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <ctime>

#include "core/rpc/http_client.hpp"

namespace chainidx::alert {

Notifier& notifier() {
    static Notifier n;
    return n;
}

void Notifier::configure(Settings settings) {
    std::lock_guard lock(m_mutex);
    m_settings = std::move(settings);
}

bool Notifier::send(const Alert& a) {
    std::lock_guard lock(m_mutex);
    if (m_settings.url.empty()) return false;
    const std::string key = a.kind + "/" + a.chain + "/" + a.key;
    const auto now = std::chrono::steady_clock::now();
    auto it = m_last_sent.find(key);
    if (it != m_last_sent.end() && now - it->second < std::chrono::seconds(m_settings.cooldown_s)) {
        spdlog::debug("alert {} not sent: cooling down", key);
        return false;
    }
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    nlohmann::json body{{"source", "chainidx"},
                        {"kind", a.kind},
                        {"chain", a.chain},
                        {"summary", a.summary},
                        {"text", "chainidx: " + a.summary},  // what Slack-style hooks display
                        {"host", host},
                        {"time", std::time(nullptr)},
                        {"details", a.details}};
    try {
        rpc::HttpClient http(m_settings.url, m_settings.timeout_ms, 1 << 20);
        rpc::HttpResponse r = http.post_json(body.dump());
        if (r.status < 200 || r.status >= 300) {
            spdlog::warn("alert webhook {} answered HTTP {}; alert \"{}\" not delivered",
                         http.display_url(), r.status, a.summary);
            return false;
        }
    } catch (const std::exception& e) {
        spdlog::warn("alert webhook: {}; alert \"{}\" not delivered", e.what(), a.summary);
        return false;
    }
    m_last_sent[key] = now;
    spdlog::info("alert sent: {}", a.summary);
    return true;
}

}  // namespace chainidx::alert
