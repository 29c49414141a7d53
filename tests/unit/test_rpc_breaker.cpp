// The circuit breaker (src/core/rpc/breaker.hpp): closed -> open after N consecutive failures,
// open -> half-open after the cooldown, one probe, whose success closes and failure reopens.
#include <doctest/doctest.h>

#include <chrono>

#include "core/rpc/breaker.hpp"

using namespace chainidx::rpc;
using namespace std::chrono_literals;

TEST_CASE("breaker_opens_after_n_consecutive_failures") {
    const Clock::time_point t0{};
    Breaker b(3, 1000ms);
    CHECK(b.state(t0) == BreakerState::closed);
    CHECK(b.admit(t0) == Admission::normal);
    CHECK_FALSE(b.on_failure(t0));
    CHECK_FALSE(b.on_failure(t0));
    // A success in between starts the count again.
    CHECK_FALSE(b.on_success());
    CHECK_FALSE(b.on_failure(t0));
    CHECK_FALSE(b.on_failure(t0));
    CHECK(b.state(t0) == BreakerState::closed);
    CHECK(b.on_failure(t0));  // the third in a row opens it
    CHECK(b.state(t0) == BreakerState::open);
    CHECK(b.admit(t0 + 999ms) == Admission::refused);
    CHECK(b.next_admit(t0) == t0 + 1000ms);
    // A request sent before it opened and failing later changes nothing.
    CHECK_FALSE(b.on_failure(t0 + 10ms));
    CHECK(b.next_admit(t0) == t0 + 1000ms);
}

TEST_CASE("breaker_half_opens_after_the_cooldown_and_a_successful_probe_closes_it") {
    const Clock::time_point t0{};
    Breaker b(1, 1000ms);
    CHECK(b.on_failure(t0));
    CHECK(b.state(t0 + 1000ms) == BreakerState::half_open);
    CHECK(b.admit(t0 + 1000ms) == Admission::probe);
    // Only one probe at a time.
    CHECK(b.admit(t0 + 1001ms) == Admission::refused);
    CHECK(b.next_admit(t0 + 1001ms) == t0 + 1001ms + Breaker::k_probe_poll);
    CHECK(b.on_success());
    CHECK(b.state(t0 + 1001ms) == BreakerState::closed);
    CHECK(b.admit(t0 + 1001ms) == Admission::normal);
    CHECK(b.consecutive_failures() == 0);
}

TEST_CASE("breaker_failed_probe_reopens_it_for_another_cooldown") {
    const Clock::time_point t0{};
    Breaker b(2, 500ms);
    b.on_failure(t0);
    CHECK(b.on_failure(t0));
    CHECK(b.admit(t0 + 600ms) == Admission::probe);
    CHECK(b.on_failure(t0 + 700ms));  // reopened
    CHECK(b.state(t0 + 700ms) == BreakerState::open);
    CHECK(b.admit(t0 + 1100ms) == Admission::refused);
    CHECK(b.next_admit(t0 + 700ms) == t0 + 1200ms);
    CHECK(b.admit(t0 + 1200ms) == Admission::probe);
}

TEST_CASE("breaker_released_probe_lets_the_next_caller_probe") {
    const Clock::time_point t0{};
    Breaker b(1, 100ms);
    b.on_failure(t0);
    CHECK(b.admit(t0 + 100ms) == Admission::probe);
    // A request admitted long ago ending without a verdict does not free the probe slot...
    b.on_release(Admission::normal);
    CHECK(b.admit(t0 + 100ms) == Admission::refused);
    // ...the probe's own does.
    b.on_release(Admission::probe);
    CHECK(b.admit(t0 + 100ms) == Admission::probe);
    CHECK(b.state(t0 + 100ms) == BreakerState::half_open);
}

TEST_CASE("breaker_with_zero_failures_never_opens") {
    const Clock::time_point t0{};
    Breaker b(0, 100ms);
    for (int i = 0; i < 100; ++i) CHECK_FALSE(b.on_failure(t0));
    CHECK(b.admit(t0) == Admission::normal);
}
