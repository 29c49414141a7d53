// The Solana normalizer (src/core/chain/solana) on real mainnet getBlock results from
// chainstorage (tests/fixtures/sol, see its SOURCES.md): exact SOL and SPL deltas, failed
// transactions, v0 lookup-table accounts, owner-less token entries, rewards; malformed items as
// dead letters; and the raw NDJSON line. Blocks go in as raw lines (the one path `fetch` and
// `normalize` share): a test TU must not build simdjson parsers of its own (see json_rpc.hpp).
#include <doctest/doctest.h>

#include "fixtures.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/chain/adapter.hpp"
#include "core/chain/keys.hpp"
#include "core/chain/solana/raw_block.hpp"
#include "core/model/base58.hpp"
#include "core/model/errors.hpp"

using namespace chainidx;
using nlohmann::json;

namespace {

const std::string k_sol = std::string(CHAINIDX_TEST_FIXTURES) + "/sol/chainstorage";
const std::string k_block_100m = k_sol + "/mainnet-slot-100000000-getBlock-json-trimmed.json";
const std::string k_block_v0 =
    k_sol + "/mainnet-slot-154808473-getBlock-json-versioned-tx-trimmed.json";
const std::string k_source = "test";
const chain::KeyFormat k_keys(chain::Family::solana);

using test::read_file;

Hash32 hash_of(const std::string& b58) {
    return k_keys.parse_block_hash(b58, "hash");
}

// A raw line around a getBlock result given as JSON text; hash and parent from `block`.
std::string line_of(const std::string& block_text, const json& block, uint64_t slot) {
    BlockHeader h;
    h.number = slot;
    h.hash = hash_of(block["blockhash"].get<std::string>());
    h.parent_hash = hash_of(block["previousBlockhash"].get<std::string>());
    return solana::raw_block_line("sol", h, block_text);
}

chain::Fetched normalize_text(const std::string& block_text, uint64_t slot) {
    const std::string line = line_of(block_text, json::parse(block_text), slot);
    return solana::normalize_raw_line(line, "sol", ndjson::Where{k_source, 1});
}

// A (changed) block as parsed JSON. nlohmann keeps integers exact; only uiAmount doubles are
// rewritten, and the normalizer never reads them.
chain::Fetched normalize_json(const json& block, uint64_t slot) {
    return normalize_text(block.dump(), slot);
}

std::string account(const BalanceEvent& e) {
    return k_keys.account(e.account);
}

// The events of one leg, by account text (each account appears once per leg in these blocks).
std::map<std::string, const BalanceEvent*> by_account(const chain::Fetched& f, int leg) {
    std::map<std::string, const BalanceEvent*> out;
    for (const BalanceEvent& e : f.events)
        if (e.leg == leg) {
            CHECK_MESSAGE(!out.count(account(e)),
                          "two events of leg " << leg << " for " << account(e));
            out[account(e)] = &e;
        }
    return out;
}

size_t count_leg(const chain::Fetched& f, int leg) {
    size_t n = 0;
    for (const BalanceEvent& e : f.events) n += e.leg == leg;
    return n;
}

// Per transaction, the SOL deltas sum to minus the fee (rewards are not part of any tx).
void check_fees_paid(const chain::Fetched& f, const json& block) {
    std::map<std::string, Amount> sums;
    for (const BalanceEvent& e : f.events)
        if (e.leg == 0) sums[k_keys.tx(e.tx)] = sums[k_keys.tx(e.tx)] + e.delta;
    CHECK(sums.size() == block["transactions"].size());
    for (const json& tx : block["transactions"]) {
        const std::string sig = tx["transaction"]["signatures"][0];
        const uint64_t fee = tx["meta"]["fee"];
        CHECK_MESSAGE(sums[sig] == -Amount::from_u64(fee), "tx " << sig);
    }
}

}  // namespace

TEST_CASE("solana normalizer: slot 100000000 (failed txs, owner-less token entries, Fee reward)") {
    const std::string text = read_file(k_block_100m);
    const json block = json::parse(text);
    const chain::Fetched f = normalize_text(text, 1002);

    REQUIRE(f.headers.size() == 1);
    const BlockHeader& h = f.headers[0];
    CHECK(h.number == 1002);
    CHECK_FALSE(h.skipped);
    CHECK(k_keys.block_hash(h.hash) == "GdY1gj7F8vq1nCy4dgCZK42WV19bkfQ4cp2e9evK18ry");
    CHECK(k_keys.block_hash(h.parent_hash) == "7KpgQJdgXdPhzj69gCnyvyBiw9s6DZ5gmfNrhQr3XW1t");
    CHECK(h.timestamp == 1633504705);

    // 10 fee payers, 2 token accounts that moved (2 more did not), 1 reward.
    CHECK(f.events.size() == 13);
    CHECK(count_leg(f, 0) == 10);
    CHECK(count_leg(f, 1) == 2);
    CHECK(count_leg(f, 2) == 1);
    CHECK(f.stats.transfers == 13);
    CHECK(f.stats.malformed == 0);
    CHECK(f.rejected.empty());
    for (const BalanceEvent& e : f.events) {
        CHECK(e.block_number == 1002);
        CHECK(e.block_hash == h.hash);
    }

    const auto sol = by_account(f, 0);
    // tx 8 failed (InstructionError) and still paid its fee, exactly meta.fee.
    REQUIRE(block["transactions"][8]["meta"]["err"].is_object());
    const BalanceEvent& failed = *sol.at("2ZjcDzwmkptGyD43siZDf4wCjM3NL7pQksmwbsKvYF1N");
    CHECK(
        k_keys.tx(failed.tx) ==
        "xjUw3f94FvbbGkhkokevTUn6aY4bHPcbnkF7ybe3MnM6a9DEEbkrURT5DP4JtnFJtpE7nLeX4qF27inBxXxnqi6");
    CHECK(failed.delta.to_decimal() == "-5000");
    CHECK(failed.event_index == 0);
    CHECK(failed.token.empty());
    CHECK(sol.at("7PwCuKPmGF3ZqWHgn8zXPtsWJ7Ud2q1DFggRkzctwJnJ")->delta.to_decimal() == "-5000");
    check_fees_paid(f, block);

    // tx 6: entries without owner are keyed by the token account (accountKeys[7], [8]).
    const auto spl = by_account(f, 1);
    const BalanceEvent& out = *spl.at("AMD3D21NmYeeohviSpyc1TmfHU1Zz4KoHbEsMYBSasu2");
    CHECK(out.delta.to_decimal() == "-1242000000");
    CHECK(out.event_index == 7);
    CHECK(k_keys.token(out.token) == "z3dn17yLaGMKffVogeFHQ9zWVcXgqgf3PQnDsNs2g6M");
    CHECK(
        k_keys.tx(out.tx) ==
        "s28hELYcWfbRFKScS4Ysdh8CSyhFoCM3SkxU1VS6GZcWNVxHjYyBA81QQ4WNTMMnkmk68AWLB9ZsyzxAL6Tb1fc");
    const BalanceEvent& in = *spl.at("AhQLbtvmca4VUZBCpjEeSWwrNBTE6ZskjrFSTUqWJwDp");
    CHECK(in.delta.to_decimal() == "1242000000");
    CHECK(in.event_index == 8);

    // The Fee reward: keyed by the blockhash, its position, the leader.
    const BalanceEvent& reward =
        *by_account(f, 2).at("DDnAqxJVFo2GVTujibHt5cjevHMSE9bo8HJaydHoshdp");
    CHECK(reward.tx == Key(h.hash));
    CHECK(reward.event_index == 0);
    CHECK(reward.token.empty());
    CHECK(reward.delta.to_decimal() == "7247500");
}

TEST_CASE("solana normalizer: slot 154808473 (v0 tx, accounts from lookup tables)") {
    const std::string text = read_file(k_block_v0);
    json block = json::parse(text);
    const chain::Fetched f = normalize_text(text, 1004);
    REQUIRE(f.headers.size() == 1);
    CHECK(k_keys.block_hash(f.headers[0].hash) == "FQUbe5QqZN2RqeViRThTFfFqGA2QLUeAqZDbbrMSmac9");
    CHECK(f.rejected.empty());
    // No rewards key: no reward events. One fee payer; 11 of 17 token accounts moved.
    CHECK(count_leg(f, 2) == 0);
    CHECK(count_leg(f, 0) == 1);
    CHECK(count_leg(f, 1) == 11);
    CHECK(f.stats.transfers == 12);
    CHECK(by_account(f, 0).at("JARehRjGUkkEShpjzfuV4ERJS25j8XhamL776FAktNGm")->delta.to_decimal() ==
          "-10000");
    check_fees_paid(f, block);

    // 6 static keys: accountIndex 7 is loadedAddresses.writable[1] (token account 2PYVz…), an
    // entry with an owner, so keyed by its owner.
    const json& tx = block["transactions"][0];
    REQUIRE(tx["transaction"]["message"]["accountKeys"].size() == 6);
    REQUIRE(tx["meta"]["loadedAddresses"]["writable"][1] ==
            "2PYVzDJ6Buks4yUVeDEhLwc14wKpxbehEsbeU6yM8J8d");
    std::map<uint32_t, const BalanceEvent*> spl;
    for (const BalanceEvent& e : f.events)
        if (e.leg == 1) spl[e.event_index] = &e;
    REQUIRE(spl.count(7));
    CHECK(account(*spl[7]) == "JARehRjGUkkEShpjzfuV4ERJS25j8XhamL776FAktNGm");
    CHECK(k_keys.token(spl[7]->token) == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
    CHECK(spl[7]->delta.to_decimal() == "-76609");
    // Both sides of one owner and mint are separate token accounts: 9ou4qq… gains USDC (#21)
    // and loses 7kbnvu… tokens (#22).
    REQUIRE(spl.count(21));
    REQUIRE(spl.count(22));
    CHECK(account(*spl[21]) == "9ou4qq7RhycWHGS8XkgQwUS1qyWHrbz7ZoCKdm9o23vy");
    CHECK(spl[21]->delta.to_decimal() == "22364264");
    CHECK(account(*spl[22]) == "9ou4qq7RhycWHGS8XkgQwUS1qyWHrbz7ZoCKdm9o23vy");
    CHECK(k_keys.token(spl[22]->token) == "7kbnvuGBxxj8AG9qp8Scn56muWGaRaFqxg1FsRp3PaFT");
    CHECK(spl[22]->delta.to_decimal() == "-22343229");
    CHECK(spl[29]->delta.to_decimal() == "53517");
    CHECK(account(*spl[29]) == "9RuqAN42PTUi9ya59k9suGATrkqzvb9gk2QABJtQzGP5");

    SUBCASE("lamport changes of lookup-table accounts get events at their index") {
        // Move 1234 lamports from the fee payer to loadedAddresses.writable[0] (index 6) and
        // 7 to readonly[0] (index 30).
        json& meta = block["transactions"][0]["meta"];
        meta["postBalances"][0] = meta["postBalances"][0].get<uint64_t>() - 1241;
        meta["postBalances"][6] = meta["postBalances"][6].get<uint64_t>() + 1234;
        meta["postBalances"][30] = meta["postBalances"][30].get<uint64_t>() + 7;
        const chain::Fetched g = normalize_json(block, 1004);
        CHECK(g.rejected.empty());
        const auto sol = by_account(g, 0);
        REQUIRE(sol.size() == 3);
        const BalanceEvent& w = *sol.at(meta["loadedAddresses"]["writable"][0].get<std::string>());
        CHECK(w.event_index == 6);
        CHECK(w.delta.to_decimal() == "1234");
        const BalanceEvent& r = *sol.at(meta["loadedAddresses"]["readonly"][0].get<std::string>());
        CHECK(r.event_index == 30);
        CHECK(r.delta.to_decimal() == "7");
        check_fees_paid(g, block);
    }

    SUBCASE("without loadedAddresses the lengths and indexes no longer fit") {
        block["transactions"][0]["meta"].erase("loadedAddresses");
        const chain::Fetched g = normalize_json(block, 1004);
        // The balances cover 41 accounts, the keys 6: one dead letter for the SOL part. The 17
        // token accounts are #6..#29: each names an account that is not there.
        CHECK(count_leg(g, 0) == 0);
        CHECK(count_leg(g, 1) == 0);
        CHECK(g.rejected.size() == 18);
        CHECK(g.stats.malformed == 18);
        REQUIRE_FALSE(g.rejected.empty());
        CHECK(g.rejected[0].index == 0);
        CHECK(g.rejected[0].token.empty());
        CHECK(g.rejected[0].error.find("differ in length") != std::string::npos);
        bool out_of_range = false;
        for (const chain::Rejected& r : g.rejected)
            if (r.index == 7) {
                out_of_range = true;
                CHECK(k_keys.token(r.token) == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
                CHECK(r.error.find("account index 7 is out of range (6 account keys)") !=
                      std::string::npos);
            }
        CHECK(out_of_range);
    }
}

TEST_CASE("solana normalizer: malformed items become dead letters, the block goes on") {
    json block = json::parse(read_file(k_block_100m));
    const Hash32 hash = hash_of("GdY1gj7F8vq1nCy4dgCZK42WV19bkfQ4cp2e9evK18ry");
    const std::string sig0 =
        "2xRnwfAMxAvv5z2eiWC1YCR6bdcPj7ebPRTKFiFZuBHvWNc8QjM33W4Ev71T8C18g3yARJcHtMzC3VWTdASDybkU";
    const std::string sig6 =
        "s28hELYcWfbRFKScS4Ysdh8CSyhFoCM3SkxU1VS6GZcWNVxHjYyBA81QQ4WNTMMnkmk68AWLB9ZsyzxAL6Tb1fc";
    json& tx0 = block["transactions"][0];
    json& tx6 = block["transactions"][6];

    SUBCASE("a bad base58 account key") {
        tx0["transaction"]["message"]["accountKeys"][0] = "0OIl" + std::string(40, '1');
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        const chain::Rejected& r = f.rejected[0];
        CHECK(r.block_number == 5);
        CHECK(r.block_hash == hash);
        CHECK(k_keys.tx(r.tx) == sig0);
        CHECK(r.index == 0);
        CHECK(r.token.empty());
        CHECK(r.error.find("slot 5 tx " + sig0 + " account #0: account key") == 0);
        CHECK(r.error.find("not base58") != std::string::npos);
        CHECK(json::parse(r.payload)["transaction"]["signatures"][0] == sig0);
        CHECK(f.events.size() == 12);  // every other event
        CHECK(f.stats.malformed == 1);
        CHECK(f.stats.transfers == 12);
    }
    SUBCASE("a token account index out of range") {
        tx6["meta"]["postTokenBalances"][1]["accountIndex"] = 99;
        const chain::Fetched f = normalize_json(block, 5);
        // #8 lost its post entry: 20253297000000 → 0; #99 has no key.
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].index == 99);
        CHECK(k_keys.tx(f.rejected[0].tx) == sig6);
        CHECK(k_keys.token(f.rejected[0].token) == "z3dn17yLaGMKffVogeFHQ9zWVcXgqgf3PQnDsNs2g6M");
        CHECK(f.rejected[0].error.find("account index 99 is out of range (14 account keys)") !=
              std::string::npos);
        CHECK(by_account(f, 1).at("AhQLbtvmca4VUZBCpjEeSWwrNBTE6ZskjrFSTUqWJwDp")->delta ==
              -Amount::from_decimal("20253297000000"));
    }
    SUBCASE("a non-numeric token amount") {
        tx6["meta"]["preTokenBalances"][0]["uiTokenAmount"]["amount"] = "10510779.5";
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].index == 7);
        CHECK(k_keys.token(f.rejected[0].token) == "z3dn17yLaGMKffVogeFHQ9zWVcXgqgf3PQnDsNs2g6M");
        CHECK(f.rejected[0].error.find("is not a decimal integer") != std::string::npos);
        CHECK(count_leg(f, 1) == 1);  // #8 still counts
        CHECK(count_leg(f, 0) == 10);
    }
    SUBCASE("an amount as a JSON number is not exact") {
        tx6["meta"]["postTokenBalances"][0]["uiTokenAmount"]["amount"] = 10509537000000;
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].error.find("\"amount\" is missing or not a string") !=
              std::string::npos);
    }
    SUBCASE("pre and post balances of different length") {
        tx6["meta"]["postBalances"].erase(13);
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].index == 0);
        CHECK(k_keys.tx(f.rejected[0].tx) == sig6);
        CHECK(f.rejected[0].error.find("postBalances (13)") != std::string::npos);
        CHECK(count_leg(f, 0) == 9);  // tx 6's SOL part is the dead letter
        CHECK(count_leg(f, 1) == 2);  // its token part still counts
    }
    SUBCASE("two problems of one item are one dead letter (its identity is tx and index)") {
        tx6["meta"]["postBalances"].erase(13);
        tx6["meta"]["preTokenBalances"][0].erase("accountIndex");
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].index == 0);
        CHECK(f.rejected[0].error.find("differ in length; tx " + sig6 +
                                       ": an entry of preTokenBalances has no unsigned integer "
                                       "accountIndex") != std::string::npos);
        CHECK(f.stats.malformed == 1);
        // #7 lost its pre entry (10510779000000 → 10509537000000 reads as a credit of all of it);
        // #8 is intact.
        CHECK(by_account(f, 1).at("AMD3D21NmYeeohviSpyc1TmfHU1Zz4KoHbEsMYBSasu2")->delta ==
              Amount::from_decimal("10509537000000"));
    }
    SUBCASE("a lamport balance that is not an unsigned integer") {
        tx0["meta"]["preBalances"][0] = -1;
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].error.find("preBalances[0] is not an unsigned integer") !=
              std::string::npos);
    }
    SUBCASE("a bad signature rejects the whole transaction") {
        tx6["transaction"]["signatures"][0] = "abc";
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].tx.empty());
        CHECK(f.rejected[0].index == 6);  // its position: no signature to name it
        CHECK(f.rejected[0].error.find("slot 5 tx #6: signature") == 0);
        CHECK(f.events.size() == 10);  // tx 6 made 1 SOL and 2 SPL events
    }
    SUBCASE("meta null") {
        tx0["meta"] = nullptr;
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(k_keys.tx(f.rejected[0].tx) == sig0);
        CHECK(f.events.size() == 12);
    }
    SUBCASE("a reward with a bad pubkey") {
        block["rewards"][0]["pubkey"] = "DDnAqxJV";
        const chain::Fetched f = normalize_json(block, 5);
        REQUIRE(f.rejected.size() == 1);
        CHECK(f.rejected[0].tx == Key(hash));
        CHECK(f.rejected[0].index == 0);
        CHECK(f.rejected[0].error.find("slot 5 reward #0: reward pubkey") == 0);
        CHECK(json::parse(f.rejected[0].payload)["lamports"] == 7247500);
        CHECK(count_leg(f, 2) == 0);
    }
    SUBCASE("the block's own fields are not items: the line is refused") {
        block["blockhash"] = "not-base58";
        const std::string line =
            R"({"schema":"chainidx.solana.block/1","chain":"sol","slot":5,"skipped":false,)"
            R"("hash":"GdY1gj7F8vq1nCy4dgCZK42WV19bkfQ4cp2e9evK18ry",)"
            R"("parent_hash":"GdY1gj7F8vq1nCy4dgCZK42WV19bkfQ4cp2e9evK18ry","block":)" +
            block.dump() + "}";
        CHECK_THROWS_WITH_AS(solana::normalize_raw_line(line, "sol", ndjson::Where{k_source, 3}),
                             doctest::Contains("test:3: block: slot 5: blockhash"), UsageError);
    }
}

TEST_CASE("solana normalizer: exact amounts at the edges") {
    // A synthesized block: lamports up to 2^64-1, a negative (rent) reward.
    const std::string key_a = "7PwCuKPmGF3ZqWHgn8zXPtsWJ7Ud2q1DFggRkzctwJnJ";
    const std::string key_b = "JARehRjGUkkEShpjzfuV4ERJS25j8XhamL776FAktNGm";
    const std::string mint = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    const std::string sig =
        chain::KeyFormat(chain::Family::solana).tx(Key(std::array<uint8_t, 64>{1}));
    json block = {
        {"blockhash", "GdY1gj7F8vq1nCy4dgCZK42WV19bkfQ4cp2e9evK18ry"},
        {"previousBlockhash", "7KpgQJdgXdPhzj69gCnyvyBiw9s6DZ5gmfNrhQr3XW1t"},
        {"blockTime", nullptr},
        {"transactions",
         json::array({{{"transaction",
                        {{"signatures", {sig}}, {"message", {{"accountKeys", {key_a, key_b}}}}}},
                       {"meta",
                        {{"err", nullptr},
                         {"fee", 0},
                         {"preBalances", {uint64_t(18446744073709551615ull), 0}},
                         {"postBalances", {0, uint64_t(18446744073709551615ull)}},
                         {"preTokenBalances", json::array()},
                         {"postTokenBalances",
                          {{{"accountIndex", 1},
                            {"mint", mint},
                            {"uiTokenAmount",
                             {{"amount",
                               "115792089237316195423570985008687907853269984665640564039"
                               "457584007913129639935"}}}}}}}}}})},
        {"rewards",
         {{{"pubkey", key_a}, {"lamports", -155904000}, {"postBalance", 0}},
          {{"pubkey", key_b}, {"lamports", 0}, {"postBalance", 0}}}}};
    const chain::Fetched f = normalize_json(block, 7);
    CHECK(f.rejected.empty());
    CHECK(f.headers.at(0).timestamp == 0);  // blockTime null
    const auto sol = by_account(f, 0);
    CHECK(sol.at(key_a)->delta.to_decimal() == "-18446744073709551615");
    CHECK(sol.at(key_b)->delta.to_decimal() == "18446744073709551615");
    // No owner: keyed by the token account; 2^256-1 base units.
    const auto spl = by_account(f, 1);
    CHECK(spl.at(key_b)->delta.to_decimal() ==
          "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    CHECK(spl.at(key_b)->event_index == 1);
    // The zero reward makes no event; the rent collection is negative.
    REQUIRE(count_leg(f, 2) == 1);
    CHECK(by_account(f, 2).at(key_a)->delta.to_decimal() == "-155904000");
    CHECK(by_account(f, 2).at(key_a)->event_index == 0);
    CHECK(f.stats.other_topic == 1);
}

TEST_CASE("solana raw line: round trip, skipped slots, the adapter's normalize") {
    const std::string text = read_file(k_block_v0);
    const json block = json::parse(text);
    const std::string line = line_of(text, block, 1004);
    const chain::Fetched a = solana::normalize_raw_line(line, "sol", ndjson::Where{k_source, 1});
    REQUIRE(a.headers.size() == 1);
    CHECK(a.from == 1004);
    CHECK(a.to == 1004);

    // The line as fetch writes it from the normalized header: the same events again, through
    // the adapter the family registers (it needs no node to normalize).
    config::ChainConfig cfg;
    cfg.name = "sol";
    cfg.family.value = chain::Family::solana;
    cfg.rpc.value = {"http://127.0.0.1:9"};
    const std::string again = solana::raw_block_line("sol", a.headers[0], text);
    const json j = json::parse(again);
    CHECK(j["schema"] == "chainidx.solana.block/1");
    CHECK(j["slot"] == 1004);
    CHECK(j["skipped"] == false);
    CHECK(j["hash"] == "FQUbe5QqZN2RqeViRThTFfFqGA2QLUeAqZDbbrMSmac9");
    CHECK(j["parent_hash"] == "8fXykXUEoTSofMDMN5E55JMv2eVpc75E3iYC38Qkq193");
    CHECK(j["block"] == block);
    const chain::Fetched b = chain::make_adapter(cfg)->normalize_raw(again, {k_source, 2});
    REQUIRE(b.events.size() == a.events.size());
    for (size_t i = 0; i < a.events.size(); ++i) {
        const BalanceEvent &x = a.events[i], &y = b.events[i];
        CHECK(x.block_number == y.block_number);
        CHECK(x.block_hash == y.block_hash);
        CHECK(x.tx == y.tx);
        CHECK(x.event_index == y.event_index);
        CHECK(x.leg == y.leg);
        CHECK(x.token == y.token);
        CHECK(x.account == y.account);
        CHECK(x.delta == y.delta);
    }
    CHECK(b.headers[0].hash == a.headers[0].hash);
    CHECK(b.headers[0].parent_hash == a.headers[0].parent_hash);
    CHECK(b.headers[0].timestamp == a.headers[0].timestamp);

    // A skipped slot: no block; hash = parent_hash = the block below's.
    BlockHeader skipped;
    skipped.number = 1005;
    skipped.skipped = true;
    skipped.hash = skipped.parent_hash = a.headers[0].hash;
    const std::string sline = solana::raw_block_line("sol", skipped, "");
    CHECK(sline ==
          R"({"schema":"chainidx.solana.block/1","chain":"sol","slot":1005,"skipped":true,)"
          R"("hash":"FQUbe5QqZN2RqeViRThTFfFqGA2QLUeAqZDbbrMSmac9",)"
          R"("parent_hash":"FQUbe5QqZN2RqeViRThTFfFqGA2QLUeAqZDbbrMSmac9"})");
    const chain::Fetched s = solana::normalize_raw_line(sline, "sol", ndjson::Where{k_source, 3});
    REQUIRE(s.headers.size() == 1);
    CHECK(s.headers[0].skipped);
    CHECK(s.headers[0].number == 1005);
    CHECK(s.headers[0].hash == a.headers[0].hash);
    CHECK(s.events.empty());

    // Lines that do not fit say where.
    const ndjson::Where w{k_source, 9};
    CHECK_THROWS_WITH_AS(solana::normalize_raw_line(line, "other", w),
                         doctest::Contains("test:9: field \"chain\""), UsageError);
    CHECK_THROWS_WITH_AS(solana::normalize_raw_line("{", "sol", w),
                         doctest::Contains("test:9: not valid JSON"), UsageError);
    json wrong = json::parse(line);
    wrong["hash"] = "8fXykXUEoTSofMDMN5E55JMv2eVpc75E3iYC38Qkq193";
    CHECK_THROWS_WITH_AS(solana::normalize_raw_line(wrong.dump(), "sol", w),
                         doctest::Contains("differ from the block's blockhash"), UsageError);
    json half = json::parse(sline);
    half["parent_hash"] = "8fXykXUEoTSofMDMN5E55JMv2eVpc75E3iYC38Qkq193";
    CHECK_THROWS_WITH_AS(solana::normalize_raw_line(half.dump(), "sol", w),
                         doctest::Contains("hash and parent_hash must be equal"), UsageError);
    json evm = json::parse(sline);
    evm["schema"] = "chainidx.evm.block/1";
    CHECK_THROWS_WITH_AS(solana::normalize_raw_line(evm.dump(), "sol", w),
                         doctest::Contains("field \"schema\""), UsageError);
}

TEST_CASE("a_solana_span_is_one_getBlock_batch_not_batch_blocks_slots") {
    // A span is what one worker fetches and holds at once: batch_blocks mainnet slots (50 by
    // default, ~3 MB of JSON and ~2,800 events each) in one span took a backfill to 230 MB.
    // It is one getBlock batch, as many calls as the node's answers have shown fit 8 MiB (4 at
    // first), and never more than batch_blocks.
    config::ChainConfig cfg;
    cfg.name = "sol";
    cfg.family.value = chain::Family::solana;
    cfg.rpc.value = {"http://127.0.0.1:9"};
    cfg.batch_blocks.value = 50;
    CHECK(chain::make_adapter(cfg)->span_hint() == 4);
    cfg.batch_blocks.value = 2;
    CHECK(chain::make_adapter(cfg)->span_hint() == 2);
}
