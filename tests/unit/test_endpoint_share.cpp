// Which endpoint fetches a span (src/core/pipeline/endpoint_share.hpp): the first one above the
// finalized height, else the one that would be done soonest by its measured speed; an endpoint
// with an open breaker, or one that just failed, takes none.
#include <doctest/doctest.h>

#include "core/pipeline/endpoint_share.hpp"

using namespace chainidx::pipeline;

namespace {
EndpointShare::Probe admits(unsigned limit, bool second_open = false) {
    return [=](size_t k) { return EndpointShare::Admits{limit, k == 1 && second_open}; };
}
}  // namespace

TEST_CASE("endpoint_share_keeps_unfinal_blocks_on_the_first_endpoint") {
    EndpointShare share(3, admits(4));
    CHECK(share.choose(101, 100) == 0);
    for (int i = 0; i < 10; ++i) share.started(0);  // however busy it is
    CHECK(share.choose(101, 100) == 0);
    CHECK(share.choose(100, 100) != 0);
    CHECK(EndpointShare::shared_end(1, 150, 100) == 100);
    CHECK(EndpointShare::shared_end(0, 150, 100) == 150);
}

TEST_CASE("endpoint_share_spreads_spans_before_anything_is_measured") {
    EndpointShare share(2, admits(4));
    size_t first = share.choose(0, 1000);
    CHECK(first == 0);
    share.started(first);
    CHECK(share.choose(0, 1000) == 1);
}

TEST_CASE("endpoint_share_gives_a_slower_endpoint_spans_only_when_the_faster_is_full") {
    EndpointShare share(2, admits(4));
    share.finished(0, 10, 0.1);  // 10 ms per block
    share.finished(1, 10, 1.0);  // 100 ms per block
    unsigned to_fast = 0, to_slow = 0;
    for (int i = 0; i < 40; ++i) {
        size_t k = share.choose(0, 1000);
        share.started(k);
        (k == 0 ? to_fast : to_slow)++;
    }
    // With 4 slots each, the fast one keeps taking spans until its queue costs 10x its span time.
    CHECK(to_fast > 30);
    CHECK(to_slow >= 1);
}

TEST_CASE("endpoint_share_leaves_out_an_open_breaker_and_a_failed_endpoint") {
    EndpointShare open(2, admits(4, true));
    open.started(0);
    open.started(0);
    CHECK(open.choose(0, 1000) == 0);

    EndpointShare share(2, admits(4));
    const auto t0 = EndpointShare::Clock::now();
    share.started(0);
    CHECK(share.choose(0, 1000, t0) == 1);
    share.failed(1, t0);
    CHECK(share.choose(0, 1000, t0 + std::chrono::seconds(1)) == 0);
    CHECK(share.choose(0, 1000, t0 + EndpointShare::k_sit_out + std::chrono::seconds(1)) == 1);
    share.failed(0, t0);  // the first endpoint never sits out
    CHECK(share.choose(5000, 1000, t0) == 0);
}
