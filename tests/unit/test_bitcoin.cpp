// The Bitcoin normalizer (src/core/chain/bitcoin) on real mainnet blocks: bitcoin-etl's getblock
// results with its expected_transactions.json, and chainstorage's blocks 91880 and 200000 (whose
// amounts are written like Python floats: 50.0, 95, 1e-08). Also exact BTC amounts and the
// exact-number pass. Fixtures: tests/fixtures/btc (see its SOURCES.md).
#include <doctest/doctest.h>

#include "fixtures.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/chain/bitcoin/btc_amount.hpp"
#include "core/chain/bitcoin/raw_block.hpp"
#include "core/chain/bitcoin/script_owner.hpp"
#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"
#include "core/rpc/exact_numbers.hpp"

using namespace chainidx;
using nlohmann::json;

namespace {

const std::string k_btc = std::string(CHAINIDX_TEST_FIXTURES) + "/btc";
const std::string k_source = "test";

using test::read_file;

// A raw NDJSON line around a getblock result given as JSON text, normalized.
chain::Fetched normalize_text(const std::string& block_json) {
    const std::string line = R"({"schema":"chainidx.bitcoin.block/1","chain":"btc","number":0,)"
                             R"("hash":"","block":)" +
                             block_json + "}";
    return bitcoin::normalize_raw_line(line, "btc", ndjson::Where{k_source, 1});
}

// A block holding the given transactions, for outputs that other blocks spend. chainstorage's
// input transactions keep only txid and vout: they get a coinbase input.
chain::Fetched normalize_txs(json txs, uint64_t height) {
    for (json& tx : txs)
        if (!tx.contains("vin")) tx["vin"] = json::array({{{"coinbase", "00"}}});
    const std::string txs_json = txs.dump();
    return normalize_text(R"({"height":)" + std::to_string(height) + R"(,"hash":")" +
                          std::string(64, '1') + R"(","previousblockhash":")" +
                          std::string(64, '0') + R"(","time":0,"tx":)" + txs_json + "}");
}

std::string txid_hex(const Key& k) {
    return chain::KeyFormat(chain::Family::bitcoin).tx(k);
}

// Fills unresolved input debits from `outputs` (as pipeline::resolve_spends does from a batch).
void resolve(chain::Fetched& f, const std::vector<Utxo>& outputs) {
    std::map<std::pair<Key, uint32_t>, const Utxo*> by_point;
    for (const Utxo& u : outputs) by_point[{u.at.txid, u.at.vout}] = &u;
    for (const Utxo& u : f.created) by_point[{u.at.txid, u.at.vout}] = &u;
    for (const Spend& s : f.spent) {
        REQUIRE(s.unresolved_event);
        auto it = by_point.find({s.at.txid, s.at.vout});
        REQUIRE_MESSAGE(it != by_point.end(), "unknown output " << txid_hex(s.at.txid));
        BalanceEvent& e = f.events[*s.unresolved_event];
        e.account = it->second->account;
        e.delta = -Amount::from_u64(static_cast<uint64_t>(it->second->value));
    }
}

Amount sum_of(const std::vector<BalanceEvent>& events) {
    Amount total;
    for (const BalanceEvent& e : events) total = total + e.delta;
    return total;
}

}  // namespace

TEST_CASE("satoshis_from_btc reads BTC amounts exactly, in every form seen in the wild") {
    using bitcoin::satoshis_from_btc;
    CHECK(satoshis_from_btc("50.00000000", "v") == 5'000'000'000);
    CHECK(satoshis_from_btc("50.0", "v") == 5'000'000'000);
    CHECK(satoshis_from_btc("95", "v") == 9'500'000'000);
    CHECK(satoshis_from_btc("0.5944254", "v") == 59'442'540);
    CHECK(satoshis_from_btc("1e-08", "v") == 1);
    CHECK(satoshis_from_btc("2.55e-05", "v") == 2'550);
    CHECK(satoshis_from_btc("6.116E-05", "v") == 6'116);
    CHECK(satoshis_from_btc("1.5e+1", "v") == 1'500'000'000);
    CHECK(satoshis_from_btc("0", "v") == 0);
    CHECK(satoshis_from_btc("0.00000000", "v") == 0);
    CHECK(satoshis_from_btc("0.10000000000", "v") == 10'000'000);  // trailing zeros are exact
    // The largest amount: a double cannot hold 2099999999999999 sat as 20999999.99999999 BTC.
    CHECK(satoshis_from_btc("20999999.99999999", "v") == 2'099'999'999'999'999);
    CHECK(satoshis_from_btc("21000000", "v") == bitcoin::k_max_satoshis);
    for (const char* bad : {"21000000.00000001", "0.000000001", "1e-09", "-1", "abc", "", ".", "1e",
                            "1.2.3", "1,5", "0x10", "1e9999", "99999999999999999999"})
        CHECK_THROWS_AS_MESSAGE(satoshis_from_btc(bad, "value"), UsageError, bad);
    CHECK_THROWS_WITH(satoshis_from_btc("0.000000015", "vout[3].value"),
                      doctest::Contains("vout[3].value: \"0.000000015\" is not a BTC amount"));
}

TEST_CASE("quote_fractional_numbers keeps fractional numbers as their exact text") {
    using rpc::quote_fractional_numbers;
    CHECK(quote_fractional_numbers(R"({"value":50.00000000,"n":0})") ==
          R"({"value":"50.00000000","n":0})");
    CHECK(quote_fractional_numbers(R"([1e-08,-2.5E+3,7,-3])") == R"(["1e-08","-2.5E+3",7,-3])");
    // Numbers inside strings, escaped quotes and backslashes stay as they are.
    CHECK(quote_fractional_numbers(R"({"a\"1.5":"x 1.5 \\","b":[0.1]})") ==
          R"({"a\"1.5":"x 1.5 \\","b":["0.1"]})");
    // A truncated document stays truncated (the parser reports it).
    CHECK(quote_fractional_numbers(R"({"a":"1.5)") == R"({"a":"1.5)");
    CHECK(quote_fractional_numbers("") == "");
}

TEST_CASE("script ids are the first 20 bytes of the script's sha256") {
    // Block 91880's coinbase pays to a bare public key (P2PK) with no address given.
    CHECK(
        bitcoin::script_id("4104124b212f5416598a92ccec88819105179dcb2550d571842601492718273fe0f2"
                           "179a9695096bff94cd99dcccdea7cd9bd943bfca8fea649cac963411979a33e9ac") ==
        "script:a6998f4952b34dd98de0a3e6fefab83ca1f1a134");
    CHECK_THROWS_AS(bitcoin::script_id("zz"), UsageError);
}

TEST_CASE("blocks 50001-50002 (bitcoin-etl) give exactly bitcoin-etl's inputs and outputs") {
    const std::string dir = k_btc + "/bitcoin-etl/mainnet-blocks-50001-50002/";
    // The transactions the blocks' inputs spend, as a block of their own.
    // Their amounts go through the exact-number pass (json would read them as doubles).
    std::string txs = "[";
    for (const char* id : {"0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216",
                           "0dd0394c6240355f4e4b3c88028f678ed746cebee3b3e8509620733f018914c9",
                           "76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea"})
        txs += read_file(dir + "rpc_response_getrawtransaction_" + id + ".json") + ",";
    txs.back() = ']';
    const chain::Fetched earlier =
        normalize_txs(json::parse(rpc::quote_fractional_numbers(txs)), 49999);
    REQUIRE(earlier.rejected.empty());

    chain::Fetched f;
    for (const char* hash : {"000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141",
                             "000000002066d7f9b134c30b5005b7bf5fbfa52f279883f1fde793dcdc964266"}) {
        chain::Fetched one =
            normalize_text(read_file(dir + "rpc_response_getblock_" + hash + "_2.json"));
        REQUIRE(one.headers.size() == 1);
        CHECK(chain::KeyFormat(chain::Family::bitcoin).block_hash(one.headers[0].hash) == hash);
        for (Spend& s : one.spent) *s.unresolved_event += f.events.size();
        f.spent.insert(f.spent.end(), one.spent.begin(), one.spent.end());
        f.events.insert(f.events.end(), one.events.begin(), one.events.end());
        f.created.insert(f.created.end(), one.created.begin(), one.created.end());
    }
    CHECK(f.spent.size() == 3);  // verbosity 2: every input's debit waits for the UTXO table
    resolve(f, earlier.created);

    // bitcoin-etl's rows: one event per input (leg 0) and per output (leg 1) with its value.
    std::map<std::tuple<std::string, uint32_t, int>, std::pair<std::string, std::string>> want;
    std::stringstream rows(read_file(dir + "expected_transactions.json"));
    for (std::string line; std::getline(rows, line);) {
        if (line.empty()) continue;
        json tx = json::parse(line);
        for (const auto& in : tx["inputs"])
            want[{tx["hash"], in["index"].get<uint32_t>(), 0}] = {
                in["addresses"][0], "-" + std::to_string(in["value"].get<int64_t>())};
        for (const auto& out : tx["outputs"])
            want[{tx["hash"], out["index"].get<uint32_t>(), 1}] = {
                out["addresses"][0], std::to_string(out["value"].get<int64_t>())};
    }
    REQUIRE(want.size() == 7);
    REQUIRE(f.events.size() == want.size());
    for (const BalanceEvent& e : f.events) {
        auto it = want.find({txid_hex(e.tx), e.event_index, e.leg});
        REQUIRE_MESSAGE(it != want.end(), txid_hex(e.tx) << ":" << e.event_index);
        CHECK(std::string(e.account.text()) == it->second.first);
        CHECK(e.delta.to_decimal() == it->second.second);
        CHECK(e.token.empty());
    }
    CHECK(sum_of(f.events) == Amount::from_u64(10'000'000'000));  // two 50 BTC coinbases
}

TEST_CASE("block 91880 (chainstorage): a P2PK coinbase under a script id, a spend with prevout") {
    const std::string dir = k_btc + "/chainstorage/mainnet-block-91880/";
    chain::Fetched f = normalize_text(read_file(dir + "block.json"));
    REQUIRE(f.rejected.empty());
    CHECK(f.headers[0].number == 91880);
    const chain::Fetched earlier = normalize_txs(
        json::parse(rpc::quote_fractional_numbers(read_file(dir + "input_transactions.json")))[1],
        91000);
    resolve(f, earlier.created);
    std::map<std::string, std::string> by_account;
    for (const BalanceEvent& e : f.events)
        by_account[std::string(e.account.text())] = e.delta.to_decimal();
    CHECK(by_account == std::map<std::string, std::string>{
                            {"script:a6998f4952b34dd98de0a3e6fefab83ca1f1a134", "5000000000"},
                            {"15BMcDM7Hm4Dynzip5LbaWZ18FP3CemRnK", "1767000000"},
                            {"1Leep5MQXYXds4hCqmq1Z4YL3v5DMnPMBT", "2713000000"},
                            {"1HY6LE6Y4JKEXuedGboBGzX58QBacQ2vPp", "-4480000000"}});
    // The coinbase output is in the UTXO list under its script id.
    CHECK(f.created.size() == 3);
}

TEST_CASE("block 200000 (chainstorage, 388 txs): every input resolves, the block adds 50 BTC") {
    const std::string dir = k_btc + "/chainstorage/mainnet-block-200000/";
    chain::Fetched f = normalize_text(read_file(dir + "block.json"));
    REQUIRE(f.rejected.empty());
    CHECK(f.spent.size() == 1231);
    // input_transactions.json: per tx of the block, the earlier txs its inputs spend (only the
    // spent vouts kept; `n` says which).
    json earlier_txs = json::array();
    for (const auto& per_tx :
         json::parse(rpc::quote_fractional_numbers(read_file(dir + "input_transactions.json"))))
        for (const auto& tx : per_tx) earlier_txs.push_back(tx);
    const chain::Fetched earlier = normalize_txs(earlier_txs, 199999);
    REQUIRE(earlier.rejected.empty());
    resolve(f, earlier.created);
    // Fees move from the spenders to the miner: the block's deltas sum to the 50 BTC subsidy.
    CHECK(sum_of(f.events) == Amount::from_u64(5'000'000'000));
    for (const BalanceEvent& e : f.events) CHECK_FALSE(e.delta.is_zero());
}

TEST_CASE("OP_RETURN and zero-value outputs hold no balance; a bad transaction is rejected alone") {
    const std::string block = R"({"height":5,"hash":")" + std::string(64, 'a') +
                              R"(","previousblockhash":")" + std::string(64, 'b') +
                              R"(","time":7,"tx":[
        {"txid":")" + std::string(64, 'c') +
                              R"(","vin":[{"coinbase":"00"}],"vout":[
            {"value":1.25,"n":0,"scriptPubKey":{"hex":"51","type":"nonstandard"}},
            {"value":0.0,"n":1,"scriptPubKey":{"hex":"6a00","type":"nulldata"}},
            {"value":0,"n":2,"scriptPubKey":{"hex":"52","address":"bc1zero"}}]},
        {"txid":")" + std::string(64, 'd') +
                              R"(","vin":[{"coinbase":"00"}],"vout":[
            {"value":"lots","n":0,"scriptPubKey":{"hex":"51","address":"bc1bad"}}]},
        {"txid":")" + std::string(64, 'e') +
                              R"(","vin":[{"txid":")" + std::string(64, 'c') +
                              R"(","vout":0,"prevout":{"value":1.25,"scriptPubKey":{"hex":"51"}}}],
         "vout":[{"value":1.2,"n":3,"scriptPubKey":{"hex":"53","address":"bc1dest"}}]}]})";
    chain::Fetched f = normalize_text(block);
    REQUIRE(f.rejected.size() == 1);
    CHECK(f.rejected[0].index == 1);
    CHECK(f.rejected[0].block_number == 5);
    CHECK(f.rejected[0].error.find("value") != std::string::npos);
    CHECK(f.rejected[0].payload.find("lots") != std::string::npos);
    CHECK(f.stats.malformed == 1);
    const std::string script_51 = bitcoin::script_id("51");
    std::vector<std::tuple<std::string, uint32_t, int, std::string>> got;
    for (const BalanceEvent& e : f.events)
        got.emplace_back(std::string(e.account.text()), e.event_index, e.leg, e.delta.to_decimal());
    CHECK(got == std::vector<std::tuple<std::string, uint32_t, int, std::string>>{
                     {script_51, 0, 1, "125000000"},
                     {script_51, 0, 0, "-125000000"},
                     {"bc1dest", 3, 1, "120000000"}});
    CHECK(f.created.size() == 3);  // the zero-value output can be spent; OP_RETURN cannot
    CHECK(f.spent.size() == 1);
    CHECK_FALSE(f.spent[0].unresolved_event);
}

TEST_CASE("an address that ingest would refuse gives way to the script id") {
    // Found by tests/fuzz: `normalize` wrote accounts that `ingest` then refused.
    const std::string block = R"({"height":5,"hash":")" + std::string(64, 'a') +
                              R"(","previousblockhash":")" + std::string(64, 'b') +
                              R"(","time":7,"tx":[{"txid":")" + std::string(64, 'c') +
                              R"(","vin":[{"coinbase":"00"}],"vout":[
            {"value":1,"n":0,"scriptPubKey":{"hex":"51","address":"bc1\u007fdel"}},
            {"value":2,"n":1,"scriptPubKey":{"hex":"52","address":""}},
            {"value":3,"n":2,"scriptPubKey":{"hex":"53","addresses":["with space"]}},
            {"value":4,"n":3,"scriptPubKey":{"hex":"54","address":"bc1fine"}}]}]})";
    chain::Fetched f = normalize_text(block);
    REQUIRE(f.events.size() == 4);
    CHECK(f.events[0].account.text() == bitcoin::script_id("51"));
    CHECK(f.events[1].account.text() == bitcoin::script_id("52"));
    CHECK(f.events[2].account.text() == bitcoin::script_id("53"));
    CHECK(f.events[3].account.text() == "bc1fine");
}

TEST_CASE("a raw line names what is wrong with it and where") {
    const ndjson::Where w{k_source, 9};
    CHECK_THROWS_WITH(bitcoin::normalize_raw_line("{", "btc", w),
                      doctest::Contains("test:9: not valid JSON"));
    CHECK_THROWS_WITH(bitcoin::normalize_raw_line(
                          R"({"schema":"chainidx.bitcoin.block/1","chain":"other"})", "btc", w),
                      doctest::Contains("\"chain\" must be \"btc\""));
    CHECK_THROWS_WITH(
        bitcoin::normalize_raw_line(
            R"({"schema":"chainidx.bitcoin.block/1","chain":"btc","block":{}})", "btc", w),
        doctest::Contains("test:9:"));
}
