#include "core/rpc/endpoint.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "core/config/config.hpp"
#include "core/metrics/metrics.hpp"

namespace chainidx::rpc {

namespace {

// How long an endpoint must go without a 429 before its lowered rate rises a step.
constexpr std::chrono::seconds k_rate_recovery{30};
// Requests in flight to an endpoint before it has shown how much it takes.
constexpr unsigned k_initial_in_flight = 4;

metrics::Labels labels_for(const std::string& chain, const std::string& display_url) {
    // Only the redacted URL: API keys live in paths and queries.
    metrics::Labels l;
    if (!chain.empty()) l.emplace_back("chain", chain);
    l.emplace_back("endpoint", display_url);
    return l;
}

}  // namespace

Endpoint::Endpoint(std::string url, const EndpointLimits& limits, const std::string& chain)
    : m_url(std::move(url)),
      m_display_url(config::redact_rpc_url(m_url)),
      m_max_concurrency(std::max(1u, limits.max_concurrency)),
      m_limit(std::min(m_max_concurrency, k_initial_in_flight)),
      m_cooldown(limits.breaker_cooldown),
      m_bucket(limits.rate_per_s),
      m_breaker(limits.breaker_failures, limits.breaker_cooldown) {
    auto& reg = metrics::registry();
    const metrics::Labels labels = labels_for(chain, m_display_url);
    m_state_gauge =
        &reg.gauge("chainidx_rpc_breaker_state",
                   "Circuit breaker per RPC endpoint: 0 closed, 1 half-open, 2 open", labels);
    m_opened_total = &reg.counter("chainidx_rpc_breaker_opened_total",
                                  "Times an RPC endpoint's circuit breaker opened", labels);
    m_state_gauge->set(0);
    m_limit_gauge = &reg.gauge("chainidx_rpc_in_flight_limit",
                               "Requests in flight an RPC endpoint is trusted with now", labels);
    m_limit_gauge->set(m_limit);
}

Admission Endpoint::admit(Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    Admission a = m_breaker.admit(now);
    if (a == Admission::probe) {
        show(BreakerState::half_open);
        spdlog::info("rpc: circuit breaker for {} is half-open; sending one probe request",
                     m_display_url);
    }
    return a;
}

Clock::time_point Endpoint::next_admit(Clock::time_point now) const {
    std::lock_guard lock(m_mutex);
    return m_breaker.next_admit(now);
}

BreakerState Endpoint::breaker_state(Clock::time_point now) const {
    std::lock_guard lock(m_mutex);
    return m_breaker.state(now);
}

Endpoint::Slot::Slot(Slot&& other) noexcept
    : m_endpoint(other.m_endpoint), m_sent_at(other.m_sent_at) {
    other.m_endpoint = nullptr;
}

Endpoint::Slot::~Slot() {
    if (m_endpoint) m_endpoint->release_slot();
}

void Endpoint::release_slot() {
    {
        std::lock_guard lock(m_mutex);
        --m_in_flight;
    }
    // All: a waiter for the end of a pause must not take the wake-up meant for a slot waiter.
    m_slot_free.notify_all();
}

Endpoint::Slot Endpoint::acquire() {
    Clock::duration wait;
    Clock::time_point sent_at;
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (m_in_flight >= m_limit) {
                m_saturated = true;
                m_slot_free.wait(lock);
            } else if (Clock::now() < m_paused_until) {
                m_slot_free.wait_until(lock, m_paused_until);
            } else {
                break;
            }
        }
        ++m_in_flight;
        if (m_in_flight == m_limit) m_saturated = true;
        const auto now = Clock::now();
        wait = m_bucket.reserve(now);
        sent_at = now + wait;
        m_sends[m_send_count++ % m_sends.size()] = sent_at;
    }
    // The slot is held while waiting for the token: the request is as good as in flight.
    Slot slot(this, sent_at);
    if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
    return slot;
}

void Endpoint::succeeded(Admission, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    m_oks[m_ok_count++ % m_oks.size()] = now;
    // One more in flight after a round of clean answers, while the callers want more.
    if (++m_clean >= m_limit && m_saturated && m_limit < m_max_concurrency) {
        ++m_limit;
        m_clean = 0;
        m_saturated = false;
        m_limit_gauge->set(m_limit);
        m_slot_free.notify_one();
    }
    const double rate = m_bucket.rate();
    if (m_rate_ceiling > 0 && rate < m_rate_ceiling && now - m_rate_changed_at >= k_rate_recovery) {
        const double raised = std::min(m_rate_ceiling, rate * 1.25);
        m_bucket.set_rate(raised, now);
        m_rate_changed_at = now;
        spdlog::info("rpc: {}: no 429 for {} s; its rate limit is now {:.3g} requests/s",
                     m_display_url, k_rate_recovery.count(), raised);
    }
    if (m_breaker.on_success()) {
        show(BreakerState::closed);
        spdlog::info("rpc: circuit breaker for {} closed; the endpoint answers again",
                     m_display_url);
    }
}

void Endpoint::failed(Admission admission, const std::string& cause, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    if (!m_breaker.on_failure(now)) return;
    show(BreakerState::open);
    m_opened_total->add();
    if (admission == Admission::probe)
        spdlog::warn(
            "rpc: circuit breaker for {} opened again: the probe failed ({}); no requests "
            "to it for {} ms",
            m_display_url, cause, m_cooldown.count());
    else
        spdlog::warn(
            "rpc: circuit breaker for {} opened after {} consecutive failures (last: {}); "
            "no requests to it for {} ms",
            m_display_url, m_breaker.consecutive_failures(), cause, m_cooldown.count());
}

void Endpoint::released(Admission admission) {
    std::lock_guard lock(m_mutex);
    m_breaker.on_release(admission);
    if (admission == Admission::probe && m_breaker.state(Clock::now()) == BreakerState::half_open)
        show(BreakerState::half_open);
}

double Endpoint::recent_rate(const TimeRing& ring, size_t filled, Clock::time_point at) {
    const size_t n = std::min(filled, ring.size());
    size_t count = 0;
    for (size_t i = 0; i < n; ++i)
        if (ring[i] <= at && at - ring[i] < std::chrono::seconds(1)) ++count;
    return static_cast<double>(count);
}

void Endpoint::throttled(Clock::time_point sent_at, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    if (sent_at < m_rate_lowered_at) return;  // sent at the old rate; already accounted for
    const double current = m_bucket.rate();
    // Unlimited so far: start from what was sent in the second before the refused request.
    const double base = current > 0 ? current : recent_rate(m_sends, m_send_count, sent_at);
    // What the endpoint accepted in the last second is its limit seen from here, inflated by
    // the burst a provider's token bucket allows at first: three quarters of it wastes no more
    // requests. Without that measure, half of what was sent.
    const double accepted = recent_rate(m_oks, m_ok_count, now);
    const double lowered =
        current == 0 && accepted > 0 ? std::max(1.0, accepted * 0.75) : std::max(1.0, base / 2);
    if (current > 0 && lowered >= current) return;  // already at the floor
    if (m_rate_ceiling == 0) m_rate_ceiling = base;
    m_bucket.set_rate(lowered, now);
    m_rate_lowered_at = m_rate_changed_at = now;
    spdlog::info(
        "rpc: {} answered 429 (too many requests); its rate limit is now {:.3g} "
        "requests/s, rising again by a quarter every {} s without a 429",
        m_display_url, lowered, k_rate_recovery.count());
}

unsigned Endpoint::in_flight_limit() const {
    std::lock_guard lock(m_mutex);
    return m_limit;
}

void Endpoint::congested(Clock::time_point sent_at, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    if (sent_at < m_limit_lowered_at) return;  // sent under the old limit
    m_clean = 0;
    m_saturated = false;
    m_limit_lowered_at = now;
    if (m_limit == 1) return;
    m_limit = std::max(1u, m_limit / 2);
    m_limit_gauge->set(m_limit);
    spdlog::debug("rpc: {} is overloaded; requests in flight to it now at most {}", m_display_url,
                  m_limit);
}

void Endpoint::pause(long seconds, Clock::time_point now) {
    if (seconds <= 0) return;
    std::lock_guard lock(m_mutex);
    // Bounded: a provider's typo (Retry-After: 86400) must not park the run for a day.
    const auto until = now + std::chrono::seconds(std::min(seconds, 60L));
    if (until > m_paused_until) m_paused_until = until;
}

double Endpoint::rate() const {
    std::lock_guard lock(m_mutex);
    return m_bucket.rate();
}

unsigned Endpoint::consecutive_failures() const {
    std::lock_guard lock(m_mutex);
    return m_breaker.consecutive_failures();
}

void Endpoint::show(BreakerState s) {
    m_state_gauge->set(static_cast<double>(static_cast<int>(s)));
}

}  // namespace chainidx::rpc
