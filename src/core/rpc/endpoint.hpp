#pragma once
// The state one RPC endpoint shares across every client of the process: its rate limit (token
// bucket, lowered for the rest of the run when it answers 429), its concurrency slots (an
// adaptive limit: a few at first, one more after each round of clean answers, halved when it
// answers 429, 5xx or times out, never above max_concurrency), a pause after Retry-After, and
// its circuit breaker. Thread-safe; obtained from the EndpointRegistry, keyed by URL.
#include <array>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>

#include "core/rpc/breaker.hpp"
#include "core/rpc/rate_limiter.hpp"

namespace chainidx::metrics {
class Counter;
class Gauge;
}  // namespace chainidx::metrics

namespace chainidx::rpc {

struct EndpointLimits {
    double rate_per_s = 0;          // requests per second, 0: unlimited
    unsigned max_concurrency = 16;  // requests in flight at once, across the process
    unsigned breaker_failures = 5;  // consecutive failures that open the breaker, 0: never
    std::chrono::milliseconds breaker_cooldown{30000};
};

class Endpoint {
  public:
    // `chain` only labels the breaker metrics; it may be empty.
    Endpoint(std::string url, const EndpointLimits& limits, const std::string& chain = {});
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;

    const std::string& url() const { return m_url; }
    const std::string& display_url() const { return m_display_url; }

    // The breaker's gate; a request that was admitted must report exactly one outcome below.
    Admission admit(Clock::time_point now = Clock::now());
    Clock::time_point next_admit(Clock::time_point now = Clock::now()) const;
    BreakerState breaker_state(Clock::time_point now = Clock::now()) const;

    // A concurrency slot, held while a request is in flight; released when it goes out of scope.
    class Slot {
      public:
        Slot(Slot&& other) noexcept;
        Slot& operator=(Slot&&) = delete;
        ~Slot();
        Clock::time_point sent_at() const { return m_sent_at; }

      private:
        friend class Endpoint;
        Slot(Endpoint* endpoint, Clock::time_point sent_at)
            : m_endpoint(endpoint), m_sent_at(sent_at) {}
        Endpoint* m_endpoint;
        Clock::time_point m_sent_at;
    };
    // Blocks until a slot is free, no Retry-After pause holds, and the rate limit lets one
    // more request go.
    Slot acquire();

    // Requests in flight the endpoint is trusted with now (the adaptive limit).
    unsigned in_flight_limit() const;
    // The answer to a request sent at `sent_at` says the endpoint is overloaded (429, 5xx,
    // timeout): halve the in-flight limit, once per wave as throttled() does.
    void congested(Clock::time_point sent_at, Clock::time_point now = Clock::now());
    // Retry-After: no request to the endpoint from any client before `seconds` have passed.
    void pause(long seconds, Clock::time_point now = Clock::now());

    // A success also lets a rate lowered by 429s recover: +25% after every 30 s without a 429,
    // up to the rate it was lowered from.
    void succeeded(Admission admission, Clock::time_point now = Clock::now());
    void failed(Admission admission, const std::string& cause,
                Clock::time_point now = Clock::now());
    void released(Admission admission);
    // The endpoint answered 429 to a request sent at `sent_at`: halve its rate (floor 1/s). Answers
    // to requests sent before the last lowering are ignored, so one burst of 429s lowers the rate
    // once, not once per request in flight.
    void throttled(Clock::time_point sent_at, Clock::time_point now = Clock::now());

    double rate() const;  // the effective rate now, 0: unlimited
    unsigned consecutive_failures() const;

  private:
    void release_slot();
    using TimeRing = std::array<Clock::time_point, 128>;
    // Entries of the ring in the second up to `at`.
    static double recent_rate(const TimeRing& ring, size_t filled, Clock::time_point at);
    void show(BreakerState s);

    const std::string m_url;
    const std::string m_display_url;
    const unsigned m_max_concurrency;
    unsigned m_limit;          // the adaptive in-flight limit, 1..m_max_concurrency
    unsigned m_clean = 0;      // clean answers since the limit last changed
    bool m_saturated = false;  // a request waited for a slot since the limit last changed
    Clock::time_point m_limit_lowered_at = Clock::time_point::min();
    Clock::time_point m_paused_until = Clock::time_point::min();
    const std::chrono::milliseconds m_cooldown;

    mutable std::mutex m_mutex;
    std::condition_variable m_slot_free;
    unsigned m_in_flight = 0;
    TokenBucket m_bucket;
    Breaker m_breaker;
    TimeRing m_sends{};  // ring of recent send times
    size_t m_send_count = 0;
    TimeRing m_oks{};  // ring of recent answer times
    size_t m_ok_count = 0;
    Clock::time_point m_rate_lowered_at = Clock::time_point::min();
    Clock::time_point m_rate_changed_at = Clock::time_point::min();  // lowered or raised
    double m_rate_ceiling = 0;  // the rate before the first 429, 0 while none came

    metrics::Gauge* m_state_gauge;
    metrics::Gauge* m_limit_gauge;
    metrics::Counter* m_opened_total;
};

}  // namespace chainidx::rpc
