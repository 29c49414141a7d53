// Cutting a fetched span at a block boundary (src/core/pipeline/range_split.hpp): every record
// goes with its block, and the back part's unresolved inputs still point at their own debits.
#include <doctest/doctest.h>

#include "core/pipeline/range_split.hpp"

using namespace chainidx;

namespace {

chain::Fetched span_of_blocks_10_to_13() {
    chain::Fetched f;
    f.from = 10;
    f.to = 13;
    for (uint64_t b = 10; b <= 13; ++b) {
        BlockHeader h;
        h.number = b;
        f.headers.push_back(h);
        f.raw.push_back("raw " + std::to_string(b));
    }
    // Events: two in block 10, none in 11, three in 12, one in 13.
    for (uint64_t b : {10, 10, 12, 12, 12, 13}) {
        BalanceEvent e;
        e.block_number = b;
        e.event_index = static_cast<uint32_t>(f.events.size());
        f.events.push_back(e);
    }
    Utxo u;
    u.block = 11;
    f.created.push_back(u);
    u.block = 13;
    f.created.push_back(u);
    Spend s;
    s.block = 10;
    s.unresolved_event = 1;
    f.spent.push_back(s);
    s.block = 12;
    s.unresolved_event = 4;
    f.spent.push_back(s);
    s.block = 13;
    s.unresolved_event = 5;
    f.spent.push_back(s);
    chain::Rejected r;
    r.block_number = 12;
    f.rejected.push_back(r);
    f.stats.transfers = 6;
    return f;
}

}  // namespace

TEST_CASE("the_last_block_whose_events_fit_in_the_room") {
    const chain::Fetched f = span_of_blocks_10_to_13();
    CHECK(pipeline::last_block_within(f, 6) == 13);  // all fit
    CHECK(pipeline::last_block_within(f, 5) == 12);
    CHECK(pipeline::last_block_within(f, 3) == 11);  // block 12 does not fit whole
    CHECK(pipeline::last_block_within(f, 2) == 11);
    CHECK(pipeline::last_block_within(f, 1) == 10);  // at least the first block, even over
    CHECK(pipeline::last_block_within(f, 0) == 10);
}

TEST_CASE("split_front_moves_every_record_with_its_block") {
    chain::Fetched back = span_of_blocks_10_to_13();
    chain::Fetched front = pipeline::split_front(back, 11);
    CHECK(front.from == 10);
    CHECK(front.to == 11);
    CHECK(back.from == 12);
    CHECK(back.to == 13);
    REQUIRE(front.headers.size() == 2);
    REQUIRE(back.headers.size() == 2);
    CHECK(back.headers.front().number == 12);
    CHECK(front.raw == std::vector<std::string>{"raw 10", "raw 11"});
    CHECK(back.raw == std::vector<std::string>{"raw 12", "raw 13"});
    CHECK(front.events.size() == 2);
    REQUIRE(back.events.size() == 4);
    CHECK(front.created.size() == 1);
    CHECK(back.created.size() == 1);
    REQUIRE(front.spent.size() == 1);
    CHECK(*front.spent[0].unresolved_event == 1);
    REQUIRE(back.spent.size() == 2);
    // Indexes into the back part's own events, and they still name the same debits.
    CHECK(back.events[*back.spent[0].unresolved_event].event_index == 4);
    CHECK(back.events[*back.spent[1].unresolved_event].event_index == 5);
    CHECK(front.rejected.empty());
    CHECK(back.rejected.size() == 1);
    CHECK(front.stats.transfers == 6);
    CHECK(back.stats.transfers == 0);
    CHECK_THROWS(pipeline::split_front(back, 13));  // the last block: nothing would remain
    CHECK_THROWS(pipeline::split_front(back, 11));  // below the span
}
