// The token bucket (src/core/rpc/rate_limiter.hpp): spacing, bursts, unlimited, lowering. Time is
// passed in, so nothing here sleeps.
#include <doctest/doctest.h>

#include <chrono>

#include "core/rpc/rate_limiter.hpp"

using namespace chainidx::rpc;
using namespace std::chrono_literals;

namespace {

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

TEST_CASE("token_bucket_allows_a_burst_of_rate_then_spaces_requests") {
    const Clock::time_point t0{};
    TokenBucket b(2.0, t0);  // 2/s: a burst of 2, then one every 500 ms
    CHECK(ms(b.reserve(t0)) == doctest::Approx(0));
    CHECK(ms(b.reserve(t0)) == doctest::Approx(0));
    CHECK(ms(b.reserve(t0)) == doctest::Approx(500));
    CHECK(ms(b.reserve(t0)) == doctest::Approx(1000));  // reservations queue behind each other
    // One second later two tokens have come back, both already promised.
    CHECK(ms(b.reserve(t0 + 1s)) == doctest::Approx(500));
    // After a long pause the bucket is full again, but never more than full.
    CHECK(ms(b.reserve(t0 + 60s)) == doctest::Approx(0));
    CHECK(ms(b.reserve(t0 + 60s)) == doctest::Approx(0));
    CHECK(ms(b.reserve(t0 + 60s)) == doctest::Approx(500));
}

TEST_CASE("token_bucket_below_one_per_second_has_a_burst_of_one") {
    const Clock::time_point t0{};
    TokenBucket b(0.5, t0);
    CHECK(ms(b.reserve(t0)) == doctest::Approx(0));
    CHECK(ms(b.reserve(t0)) == doctest::Approx(2000));
    CHECK(ms(b.reserve(t0 + 2s)) == doctest::Approx(2000));
}

TEST_CASE("token_bucket_zero_rate_is_unlimited") {
    const Clock::time_point t0{};
    TokenBucket b(0, t0);
    for (int i = 0; i < 1000; ++i) REQUIRE(b.reserve(t0) == Clock::duration::zero());
    CHECK(b.rate() == 0);
}

TEST_CASE("token_bucket_lowering_the_rate_empties_the_bucket") {
    const Clock::time_point t0{};
    TokenBucket b(0, t0);  // unlimited, then a 429 sets a rate: no burst right after it
    b.set_rate(4, t0 + 10s);
    CHECK(b.rate() == 4);
    CHECK(ms(b.reserve(t0 + 10s)) == doctest::Approx(250));

    TokenBucket c(10, t0);
    c.set_rate(1, t0);  // full bucket of 10 at 10/s, lowered to 1/s
    CHECK(ms(c.reserve(t0)) == doctest::Approx(1000));
    CHECK(ms(c.reserve(t0 + 5s)) == doctest::Approx(0));
}

TEST_CASE("token_bucket_a_tiny_rate_still_limits_and_its_wait_never_overflows") {
    const Clock::time_point t0{};
    // 1e-308/s would make the wait ~1e308 s, which overflowed into no wait at all.
    TokenBucket b(1e-308, t0);
    CHECK(b.rate() == doctest::Approx(TokenBucket::k_min_rate));
    CHECK(b.reserve(t0) == Clock::duration::zero());  // the burst of one
    const Clock::duration wait = b.reserve(t0);
    CHECK(wait > Clock::duration::zero());
    CHECK(ms(wait) == doctest::Approx(1000.0 * 1000));  // one request per 1000 s
    for (int i = 0; i < 100000; ++i) REQUIRE(b.reserve(t0) > Clock::duration::zero());

    TokenBucket c(10, t0);
    c.set_rate(1e-300, t0);
    CHECK(c.rate() == doctest::Approx(TokenBucket::k_min_rate));
    CHECK(c.reserve(t0) > Clock::duration::zero());
}
