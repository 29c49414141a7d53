#include "core/rpc/breaker.hpp"

#include <algorithm>

namespace chainidx::rpc {

const char* to_string(BreakerState s) {
    switch (s) {
        case BreakerState::closed:
            return "closed";
        case BreakerState::half_open:
            return "half-open";
        case BreakerState::open:
            return "open";
    }
    return "?";
}

Breaker::Breaker(unsigned failures_to_open, std::chrono::milliseconds cooldown)
    : m_failures_to_open(failures_to_open), m_cooldown(cooldown) {}

Admission Breaker::admit(Clock::time_point now) {
    switch (m_state) {
        case BreakerState::closed:
            return Admission::normal;
        case BreakerState::open:
            if (now < m_open_until) return Admission::refused;
            m_state = BreakerState::half_open;
            m_probe_in_flight = true;
            return Admission::probe;
        case BreakerState::half_open:
            if (m_probe_in_flight) return Admission::refused;
            m_probe_in_flight = true;
            return Admission::probe;
    }
    return Admission::refused;
}

bool Breaker::on_success() {
    m_failures = 0;
    m_probe_in_flight = false;
    if (m_state == BreakerState::closed) return false;
    // Also from open: a request sent before it opened came back fine, so the endpoint works.
    m_state = BreakerState::closed;
    return true;
}

bool Breaker::on_failure(Clock::time_point now) {
    ++m_failures;
    if (m_state == BreakerState::half_open) {
        m_probe_in_flight = false;
        m_state = BreakerState::open;
        m_open_until = now + m_cooldown;
        return true;
    }
    if (m_state == BreakerState::closed && m_failures_to_open > 0 &&
        m_failures >= m_failures_to_open) {
        m_state = BreakerState::open;
        m_open_until = now + m_cooldown;
        return true;
    }
    return false;  // already open: a request sent before it opened failed too
}

void Breaker::on_release(Admission admission) {
    // Only the probe's own release frees the probe slot, not that of a request sent earlier.
    if (admission == Admission::probe && m_state == BreakerState::half_open)
        m_probe_in_flight = false;
}

BreakerState Breaker::state(Clock::time_point now) const {
    if (m_state == BreakerState::open && now >= m_open_until) return BreakerState::half_open;
    return m_state;
}

Clock::time_point Breaker::next_admit(Clock::time_point now) const {
    switch (m_state) {
        case BreakerState::closed:
            return now;
        case BreakerState::open:
            return std::max(now, m_open_until);
        case BreakerState::half_open:
            return m_probe_in_flight ? now + k_probe_poll : now;
    }
    return now;
}

}  // namespace chainidx::rpc
