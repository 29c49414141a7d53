// Endpoint state shared across clients (src/core/rpc/endpoint.hpp, endpoint_registry.hpp): one
// object per URL, concurrency slots, the real-time rate limit, rates learned from 429s, breaker
// state in the registry and the metrics, with URLs redacted.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/metrics/metrics.hpp"
#include "core/rpc/endpoint_registry.hpp"

using namespace chainidx::rpc;
using namespace std::chrono_literals;

TEST_CASE("endpoint_registry_gives_every_client_of_one_url_the_same_state") {
    EndpointRegistry reg;
    EndpointLimits first;
    first.rate_per_s = 5;
    EndpointLimits second;
    second.rate_per_s = 50;
    auto a = reg.get("https://node.example/v2/KEY", first);
    auto b = reg.get("https://node.example/v2/KEY", second);
    auto c = reg.get("https://other.example/v2/KEY", second);
    CHECK(a.get() == b.get());
    CHECK(a.get() != c.get());
    CHECK(b->rate() == 5);  // the first caller's limits; learned state is kept
    CHECK(a->display_url() == "https://node.example/***");

    // A failure seen through one client counts for the other.
    a->failed(Admission::normal, "HTTP 502");
    CHECK(b->consecutive_failures() == 1);
}

TEST_CASE("endpoint_limits_requests_in_flight_across_threads") {
    EndpointLimits limits;
    limits.max_concurrency = 2;
    Endpoint e("http://127.0.0.1:1/slots", limits);
    std::atomic<int> in_flight{0}, peak{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 5; ++i)
        threads.emplace_back([&] {
            auto slot = e.acquire();
            int now = ++in_flight;
            int p = peak.load();
            while (now > p && !peak.compare_exchange_weak(p, now)) {
            }
            std::this_thread::sleep_for(30ms);
            --in_flight;
        });
    for (auto& t : threads) t.join();
    CHECK(peak.load() == 2);
}

TEST_CASE("endpoint_rate_limit_spaces_requests_in_real_time") {
    EndpointLimits limits;
    limits.rate_per_s = 20;  // a burst of 20, then one per 50 ms
    limits.max_concurrency = 100;
    Endpoint e("http://127.0.0.1:1/rate", limits);
    const auto t0 = Clock::now();
    for (int i = 0; i < 24; ++i) (void)e.acquire();
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    CHECK(elapsed >= 0.18);  // 4 beyond the burst, 50 ms apart
    CHECK(elapsed < 0.6);
}

TEST_CASE("endpoint_429_halves_the_rate_once_per_wave_with_a_floor_of_one") {
    const Clock::time_point t0 = Clock::now();
    EndpointLimits limits;
    limits.rate_per_s = 8;
    Endpoint e("https://node.example/v2/KEY", limits);
    e.throttled(t0, t0 + 1ms);
    CHECK(e.rate() == 4);
    // More 429s to requests sent before the lowering: the same wave, no further change.
    e.throttled(t0, t0 + 2ms);
    e.throttled(t0 + 1ms - 1us, t0 + 3ms);
    CHECK(e.rate() == 4);
    // A 429 to a request sent at the new rate lowers it again, down to 1/s and no lower.
    e.throttled(t0 + 10ms, t0 + 11ms);
    CHECK(e.rate() == 2);
    e.throttled(t0 + 20ms, t0 + 21ms);
    e.throttled(t0 + 30ms, t0 + 31ms);
    e.throttled(t0 + 40ms, t0 + 41ms);
    CHECK(e.rate() == 1);

    // Without 429s the rate rises by a quarter every 30 s of successes, up to where it was.
    e.succeeded(Admission::normal, t0 + 41ms + 29s);
    CHECK(e.rate() == 1);
    e.succeeded(Admission::normal, t0 + 41ms + 30s);
    CHECK(e.rate() == 1.25);
    e.succeeded(Admission::normal, t0 + 41ms + 31s);  // one step per 30 s
    CHECK(e.rate() == 1.25);
    for (int i = 2; i < 20; ++i) e.succeeded(Admission::normal, t0 + 41ms + i * 30s);
    CHECK(e.rate() == 8);  // the configured rate, and no higher

    // Unlimited: half of what was sent in the last second.
    EndpointLimits open;
    open.max_concurrency = 100;
    Endpoint u("https://node.example/other", open);
    for (int i = 0; i < 10; ++i) (void)u.acquire();
    u.throttled(Clock::now());
    CHECK(u.rate() == 5);
}

TEST_CASE("endpoint_registry_reports_open_breakers_and_metrics_without_secrets") {
    EndpointRegistry reg;
    EndpointLimits limits;
    limits.breaker_failures = 2;
    limits.breaker_cooldown = 50ms;
    auto e = reg.get("https://user:PWSECRET@breaker.example/v2/SECRETKEY", limits, "testchain");
    CHECK_FALSE(reg.any_breaker_open());
    e->failed(Admission::normal, "HTTP 503");
    CHECK_FALSE(reg.any_breaker_open());
    e->failed(Admission::normal, "HTTP 503");
    CHECK(reg.any_breaker_open());
    auto report = reg.breakers();
    REQUIRE(report.size() == 1);
    CHECK(report[0].endpoint == "https://breaker.example/***");
    CHECK(report[0].state == BreakerState::open);

    std::string text = chainidx::metrics::registry().exposition();
    CHECK(text.find("chainidx_rpc_breaker_state{chain=\"testchain\",endpoint=\"https://"
                    "breaker.example/***\"} 2") != std::string::npos);
    CHECK(text.find("chainidx_rpc_breaker_opened_total{chain=\"testchain\",endpoint=\"https://"
                    "breaker.example/***\"} 1") != std::string::npos);
    CHECK(text.find("SECRETKEY") == std::string::npos);
    CHECK(text.find("PWSECRET") == std::string::npos);

    // Past the cooldown: half-open until a probe answers; a successful probe closes it.
    std::this_thread::sleep_for(60ms);
    CHECK(reg.breakers()[0].state == BreakerState::half_open);
    CHECK(reg.any_breaker_open());
    Admission probe = e->admit();
    CHECK(probe == Admission::probe);
    CHECK(e->admit() == Admission::refused);
    e->succeeded(probe);
    CHECK_FALSE(reg.any_breaker_open());
    text = chainidx::metrics::registry().exposition();
    CHECK(text.find("chainidx_rpc_breaker_state{chain=\"testchain\",endpoint=\"https://"
                    "breaker.example/***\"} 0") != std::string::npos);
}

TEST_CASE("endpoint_in_flight_limit_starts_at_a_few_grows_while_clean_and_halves_on_overload") {
    EndpointLimits limits;
    limits.max_concurrency = 10;
    Endpoint e("http://127.0.0.1:1/adaptive", limits);
    CHECK(e.in_flight_limit() == 4);
    // Callers that want more than the limit (every slot taken), and clean answers: +1 a round.
    auto round = [&] {
        std::vector<Endpoint::Slot> slots;
        for (unsigned i = 0; i < e.in_flight_limit(); ++i) slots.push_back(e.acquire());
        for (unsigned i = 0; i < slots.size(); ++i) e.succeeded(Admission::normal);
    };
    round();
    CHECK(e.in_flight_limit() == 5);
    for (int i = 0; i < 20; ++i) round();
    CHECK(e.in_flight_limit() == 10);  // never above max_concurrency
    // An overloaded answer halves it, once per wave: answers to requests sent before the
    // halving do not halve it again.
    const auto sent = Clock::now();
    e.congested(sent, sent + 1ms);
    CHECK(e.in_flight_limit() == 5);
    e.congested(sent, sent + 2ms);
    CHECK(e.in_flight_limit() == 5);
    e.congested(sent + 5ms, sent + 6ms);
    CHECK(e.in_flight_limit() == 2);
    e.congested(sent + 7ms, sent + 8ms);
    e.congested(sent + 9ms, sent + 10ms);
    CHECK(e.in_flight_limit() == 1);  // and no lower

    // Clean answers without demand (slots never all taken) do not raise it.
    Endpoint idle("http://127.0.0.1:1/idle", limits);
    for (int i = 0; i < 50; ++i) {
        auto slot = idle.acquire();
        idle.succeeded(Admission::normal);
    }
    CHECK(idle.in_flight_limit() == 4);
}

TEST_CASE("endpoint_retry_after_pauses_every_client") {
    EndpointLimits limits;
    Endpoint e("http://127.0.0.1:1/pause", limits);
    e.pause(1);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    std::atomic<int> early{0};
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&] {
            auto slot = e.acquire();
            if (std::chrono::steady_clock::now() - t0 < 900ms) ++early;
        });
    for (auto& t : threads) t.join();
    CHECK(early == 0);
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
}

TEST_CASE("endpoint_429_when_unlimited_lowers_the_rate_to_just_below_what_was_accepted") {
    EndpointLimits open;
    open.max_concurrency = 100;
    Endpoint e("http://127.0.0.1:1/accepted", open);
    const auto now = Clock::now();
    for (int i = 0; i < 20; ++i) {
        auto slot = e.acquire();
        e.succeeded(Admission::normal, now);
    }
    for (int i = 0; i < 10; ++i) (void)e.acquire();  // refused ones, sent too
    e.throttled(Clock::now(), now + 1ms);
    CHECK(e.rate() == doctest::Approx(15));  // 3/4 of the 20 it accepted, not half of the 30
}
