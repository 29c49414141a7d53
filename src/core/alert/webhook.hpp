#pragma once
// Alerts to a webhook (Slack-style incoming hooks, Alertmanager adapters, PagerDuty bridges):
// one JSON POST per event worth a person's attention — a reorg beyond a depth, drift found by
// reconcile, a failed run. Each alert key (kind, chain, what) is sent at most once per cool-down,
// so a flapping endpoint does not page every minute. Sending never fails a run: a webhook that
// cannot be reached is logged and forgotten.
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace chainidx::alert {

struct Settings {
    std::string url;  // empty: alerts off; else http:// or https:// only
    std::string url_origin = "flag --alert-webhook";  // named when the URL is refused
    uint64_t cooldown_s = 600;                        // per alert key
    uint64_t reorg_depth = 3;                         // reorgs at least this deep alert
    long timeout_ms = 5000;
};

struct Alert {
    std::string kind;     // "reorg", "drift", "failure"
    std::string chain;    // may be empty
    std::string key;      // what makes two alerts "the same" besides kind and chain
    std::string summary;  // one line for a person
    nlohmann::json details = nlohmann::json::object();
};

class Notifier {
  public:
    // Throws UsageError naming url_origin when the URL is not an http(s) URL.
    void configure(Settings settings);
    const Settings& settings() const { return m_settings; }
    // Posts the alert unless alerts are off or its key was sent within the cool-down; returns
    // whether it was posted.
    bool send(const Alert& alert);

  private:
    std::mutex m_mutex;
    Settings m_settings;
    std::map<std::string, std::chrono::steady_clock::time_point> m_last_sent;
};

// The JSON body posted for `alert`, every string scrubbed of the remembered secrets (a summary or
// a detail may quote an error from libpq, libcurl or a node).
nlohmann::json payload(const Alert& alert);

// The process-wide notifier.
Notifier& notifier();

}  // namespace chainidx::alert
