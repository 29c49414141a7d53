#pragma once
// A circuit breaker for one endpoint: after `failures_to_open` consecutive failed requests it
// opens and nothing is sent for `cooldown`; then one probe request is let through (half-open):
// success closes it, failure opens it again. Time is passed in, so tests need no clock; Endpoint
// guards it with its mutex (this class is not thread-safe).
#include <chrono>

#include "core/rpc/rate_limiter.hpp"

namespace chainidx::rpc {

// The values are those of the chainidx_rpc_breaker_state gauge.
enum class BreakerState : int { closed = 0, half_open = 1, open = 2 };
const char* to_string(BreakerState s);

// What admit() decided. The probe must end in on_success, on_failure or on_release(probe).
enum class Admission { refused, normal, probe };

class Breaker {
  public:
    // failures_to_open 0 disables the breaker (it never opens).
    Breaker(unsigned failures_to_open, std::chrono::milliseconds cooldown);

    // May a request be sent now? Past the cooldown the first caller becomes the half-open probe;
    // others are refused until the probe has reported.
    Admission admit(Clock::time_point now);
    // Returns true when this closed a breaker that was not closed.
    bool on_success();
    // Returns true when this failure opened (or, after a failed probe, reopened) the breaker.
    bool on_failure(Clock::time_point now);
    // The request ended without saying anything about the endpoint (a 4xx, a too large answer).
    void on_release(Admission admission);

    // As seen at `now`: an open breaker past its cooldown reports half-open.
    BreakerState state(Clock::time_point now) const;
    // The earliest time admit() may succeed (`now` when it would now).
    Clock::time_point next_admit(Clock::time_point now) const;
    unsigned consecutive_failures() const { return m_failures; }

    // How long a refused caller waits while another caller's probe is in flight.
    static constexpr std::chrono::milliseconds k_probe_poll{100};

  private:
    unsigned m_failures_to_open;
    std::chrono::milliseconds m_cooldown;
    BreakerState m_state = BreakerState::closed;
    unsigned m_failures = 0;
    Clock::time_point m_open_until{};
    bool m_probe_in_flight = false;
};

}  // namespace chainidx::rpc
