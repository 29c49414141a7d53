#include "core/alert/webhook.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <ctime>

#include "core/model/secrets.hpp"
#include "core/rpc/http_client.hpp"
#include "core/rpc/url.hpp"

namespace chainidx::alert {

Notifier& notifier() {
    static Notifier n;
    return n;
}

namespace {

// Every string of an alert, scrubbed of the remembered secrets: a summary or a detail may quote
// an error message from libpq, libcurl or a node.
nlohmann::json scrubbed(const nlohmann::json& j) {
    if (j.is_string()) return secrets::scrub(j.get<std::string>());
    if (j.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& v : j) out.push_back(scrubbed(v));
        return out;
    }
    if (j.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : j.items()) out[secrets::scrub(k)] = scrubbed(v);
        return out;
    }
    return j;
}

}  // namespace

nlohmann::json payload(const Alert& a) {
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    return scrubbed({{"source", "chainidx"},
                     {"kind", a.kind},
                     {"chain", a.chain},
                     {"summary", a.summary},
                     {"text", "chainidx: " + a.summary},  // what Slack-style hooks display
                     {"host", host},
                     {"time", std::time(nullptr)},
                     {"details", a.details}});
}

void Notifier::configure(Settings settings) {
    // Its path and query are a secret (Slack's hook URLs are the credential).
    if (!settings.url.empty()) rpc::require_http_url(settings.url, settings.url_origin);
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
    const nlohmann::json body = payload(a);
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
