// Items of one batch under one event id (src/core/pipeline/duplicate_ids.hpp): identical copies
// count once; different content under one id becomes a dead letter instead of a lost transfer.
#include <doctest/doctest.h>

#include "core/pipeline/duplicate_ids.hpp"

using namespace chainidx;

namespace {

BalanceEvent event(uint64_t block, uint8_t tx, uint32_t index, uint8_t account, uint64_t delta) {
    BalanceEvent e;
    e.block_number = block;
    e.block_hash[0] = static_cast<uint8_t>(block);
    Hash32 t{};
    t[0] = tx;
    e.tx = t;
    e.event_index = index;
    e.leg = 1;
    Address token{}, acct{};
    token[19] = 9;
    acct[19] = account;
    e.token = token;
    e.account = acct;
    e.delta = Amount::from_u64(delta);
    return e;
}

const chain::KeyFormat k_evm(chain::Family::evm);

}  // namespace

TEST_CASE("identical_copies_of_an_event_count_once") {
    store::Batch b;
    b.chain = "c";
    b.events = {event(1, 1, 0, 1, 5), event(1, 1, 0, 1, 5), event(2, 2, 0, 1, 7)};
    CHECK(pipeline::set_aside_duplicate_ids(b, k_evm) == 1);
    REQUIRE(b.events.size() == 2);
    CHECK(b.events[1].delta == Amount::from_u64(7));
    CHECK(b.dead_letters.empty());
}

TEST_CASE("two_different_items_under_one_id_become_a_dead_letter_at_the_later_block") {
    store::Batch b;
    b.chain = "c";
    b.events = {event(1, 1, 0, 1, 5), event(3, 1, 0, 2, 5), event(3, 4, 1, 3, 8)};
    CHECK(pipeline::set_aside_duplicate_ids(b, k_evm) == 0);
    REQUIRE(b.events.size() == 2);  // the later item left the batch, the unrelated one stays
    CHECK(b.events[1].account == event(3, 4, 1, 3, 8).account);
    REQUIRE(b.dead_letters.size() == 1);
    const store::DeadLetter& d = b.dead_letters[0];
    CHECK(d.block_number == 3);
    CHECK(d.status == "open");
    CHECK(d.index == 0);
    CHECK(d.error.find("two different items share the event id") != std::string::npos);
    CHECK(d.payload.find("\"other\"") != std::string::npos);
}

TEST_CASE("set_aside_keeps_unresolved_spends_pointing_at_their_events") {
    store::Batch b;
    b.chain = "c";
    b.events = {event(1, 1, 0, 1, 5), event(1, 1, 0, 1, 5), event(1, 2, 0, 0, 0)};
    Spend s;
    s.block = 1;
    s.unresolved_event = 2;  // its account and amount come from the UTXO table later
    b.spent.push_back(s);
    pipeline::set_aside_duplicate_ids(b, k_evm);
    REQUIRE(b.events.size() == 2);
    REQUIRE(b.spent[0].unresolved_event);
    CHECK(*b.spent[0].unresolved_event == 1);
    CHECK(b.events[1].tx == event(1, 2, 0, 0, 0).tx);
}
