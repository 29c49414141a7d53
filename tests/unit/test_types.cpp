// Event ids and finality names (src/core/model/types.hpp).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"
#include "core/model/types.hpp"

using namespace chainidx;

namespace {
std::string event_id(const std::string& chain, const BalanceEvent& e) {
    return chain::KeyFormat(chain::Family::evm).event_id(chain, e);
}
Hash32 hash_with(size_t at, uint8_t v) {
    Hash32 h{};
    h[at] = v;
    return h;
}
}  // namespace

TEST_CASE("event_id_is_chain_tx_hash_index_and_leg") {
    BalanceEvent e;
    e.tx = hex::decode_fixed<32>(
        "0xEB107A40BA73A50C79A9F2026E902D758D1C5E5E211F7A7DB1B294F88F118DD0", "tx");
    e.event_index = 7;
    e.leg = 1;
    CHECK(event_id("ethereum", e) ==
          "ethereum:0xeb107a40ba73a50c79a9f2026e902d758d1c5e5e211f7a7db1b294f88f118dd0:7:1");
}

TEST_CASE("event_id_ignores_amount_block_and_accounts_but_not_identity_fields") {
    BalanceEvent a;
    a.tx = hash_with(0, 0x11);
    a.event_index = 3;
    BalanceEvent moved = a;  // same identity, other payload: the same event
    moved.block_number = 99;
    moved.delta = Amount::from_u64(5);
    moved.account = Key(hash_with(0, 0xaa));
    CHECK(event_id("c", a) == event_id("c", moved));

    std::set<std::string> ids;
    ids.insert(event_id("c", a));
    BalanceEvent other_leg = a;
    other_leg.leg = 1;
    ids.insert(event_id("c", other_leg));
    BalanceEvent other_index = a;
    other_index.event_index = 4;
    ids.insert(event_id("c", other_index));
    BalanceEvent other_tx = a;
    Hash32 t = hash_with(0, 0x11);
    t[31] = 0x01;
    other_tx.tx = t;
    ids.insert(event_id("c", other_tx));
    ids.insert(event_id("d", a));
    CHECK(ids.size() == 5);
    // No ambiguity between "chain:1" + "2" and "chain:12".
    BalanceEvent i12 = a;
    i12.event_index = 12;
    BalanceEvent i1 = a;
    i1.event_index = 1;
    i1.leg = 2;
    CHECK(event_id("c", i12) != event_id("c", i1));
}

TEST_CASE("finality_names_parse_and_print") {
    CHECK(parse_finality("pending") == Finality::pending);
    CHECK(parse_finality("latest") == Finality::pending);
    CHECK(parse_finality("safe") == Finality::safe);
    CHECK(parse_finality("finalized") == Finality::finalized);
    CHECK(std::string(finality_name(Finality::safe)) == "safe");
    CHECK(std::string(finality_name(Finality::finalized)) == "finalized");
    CHECK(std::string(finality_name(Finality::pending)) == "pending");
    CHECK_THROWS_WITH_AS(parse_finality("final"), doctest::Contains("final"), UsageError);
    CHECK_THROWS_AS(parse_finality(""), UsageError);
    CHECK_THROWS_AS(parse_finality("Finalized"), UsageError);
}
