#pragma once
// A token bucket: `rate` requests per second with a burst of max(1, rate). Time is passed in, so
// tests need no clock; Endpoint guards it with its mutex (this class is not thread-safe).
#include <chrono>

namespace chainidx::rpc {

using Clock = std::chrono::steady_clock;

class TokenBucket {
  public:
    // The slowest rate: a smaller positive one is raised to it (config refuses it first), so a
    // wait is at most 1000 s per queued request and its arithmetic never overflows.
    static constexpr double k_min_rate = 0.001;
    // rate_per_s 0 (or below, or not a number) means unlimited.
    explicit TokenBucket(double rate_per_s, Clock::time_point now = Clock::now());

    // Takes one token and returns how long the caller must wait before sending (zero when one
    // was available). Tokens may go negative: each caller reserves its own future slot, so
    // concurrent callers are spaced out instead of all waking at once.
    Clock::duration reserve(Clock::time_point now);
    // Changes the rate from `now` on. Lowering empties the bucket: no burst right after a 429.
    void set_rate(double rate_per_s, Clock::time_point now);
    double rate() const { return m_rate; }

  private:
    void refill(Clock::time_point now);

    double m_rate;
    double m_capacity;
    double m_tokens;
    Clock::time_point m_last;
};

}  // namespace chainidx::rpc
