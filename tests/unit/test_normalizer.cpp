// The EVM normalizer (src/core/chain/evm/normalizer.hpp) on real mainnet logs and on hand-made
// edge cases. Fixtures: tests/fixtures/eth/ethereum-etl (see tests/fixtures/SOURCES.md).
#include <doctest/doctest.h>

#include "fixtures.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/chain/evm/normalizer.hpp"
#include "core/model/errors.hpp"

using namespace chainidx;
using nlohmann::json;

namespace {

const std::string k_fixtures = CHAINIDX_TEST_FIXTURES;
const std::string k_two_blocks = k_fixtures + "/eth/ethereum-etl/mainnet-blocks-17173049-17173050";
const std::string k_block_483920 = k_fixtures + "/eth/ethereum-etl/mainnet-block-483920";
const std::string k_zero_address = "0x0000000000000000000000000000000000000000";

using test::read_file;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream s(text);
    for (std::string line; std::getline(s, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

// ethereum-etl writes token values as bare JSON numbers of up to 78 digits, which a JSON parser
// would turn into doubles. Quote them first, so they stay exact text.
std::string quote_value_numbers(const std::string& line) {
    const std::string key = "\"value\": ";
    auto at = line.find(key);
    if (at == std::string::npos) return line;
    auto start = at + key.size();
    auto end = start;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    if (end == start) return line;
    return line.substr(0, start) + "\"" + line.substr(start, end - start) + "\"" + line.substr(end);
}

void set_topics(RawLog& log, const json& topics) {
    REQUIRE(topics.size() <= 4);
    log.topic_count = static_cast<uint8_t>(topics.size());
    for (size_t i = 0; i < topics.size(); ++i)
        log.topics[i] = hex::decode_fixed<32>(topics[i].get<std::string>(), "topic");
}

// A log in ethereum-etl's JSON-lines layout.
RawLog from_etl_log(const json& j) {
    RawLog log;
    log.block_number = j.at("block_number").get<uint64_t>();
    log.block_hash = hex::decode_fixed<32>(j.at("block_hash").get<std::string>(), "block_hash");
    log.tx_hash =
        hex::decode_fixed<32>(j.at("transaction_hash").get<std::string>(), "transaction_hash");
    log.log_index = j.at("log_index").get<uint32_t>();
    log.address = parse_address(j.at("address").get<std::string>(), "address");
    set_topics(log, j.at("topics"));
    log.data = hex::decode_bytes(j.at("data").get<std::string>(), "data");
    return log;
}

// A log as eth_getLogs / eth_getFilterLogs return it.
RawLog from_rpc_log(const json& j) {
    RawLog log;
    log.block_number = hex::parse_quantity(j.at("blockNumber").get<std::string>(), "blockNumber");
    log.block_hash = hex::decode_fixed<32>(j.at("blockHash").get<std::string>(), "blockHash");
    log.tx_hash =
        hex::decode_fixed<32>(j.at("transactionHash").get<std::string>(), "transactionHash");
    log.log_index =
        static_cast<uint32_t>(hex::parse_quantity(j.at("logIndex").get<std::string>(), "logIndex"));
    log.address = parse_address(j.at("address").get<std::string>(), "address");
    set_topics(log, j.at("topics"));
    log.data = hex::decode_bytes(j.at("data").get<std::string>(), "data");
    return log;
}

struct ExpectedTransfer {
    std::string token, from, to, value, tx_hash;
    uint32_t log_index = 0;
    uint64_t block_number = 0;
};

// (tx hash, log index, leg) -> event
using EventKey = std::tuple<std::string, uint32_t, int>;
std::map<EventKey, BalanceEvent> by_key(const std::vector<BalanceEvent>& events) {
    std::map<EventKey, BalanceEvent> out;
    for (const BalanceEvent& e : events) {
        bool fresh =
            out.emplace(EventKey{hex::encode(e.tx.data(), e.tx.size()), e.event_index, e.leg}, e)
                .second;
        CHECK_MESSAGE(fresh, "duplicate event " << hex::encode(e.tx.data(), e.tx.size()));
    }
    return out;
}

void check_leg(const std::map<EventKey, BalanceEvent>& events, const ExpectedTransfer& t, int leg) {
    auto it = events.find(EventKey{t.tx_hash, t.log_index, leg});
    REQUIRE_MESSAGE(it != events.end(),
                    "no leg " << leg << " for " << t.tx_hash << ":" << t.log_index);
    const BalanceEvent& e = it->second;
    CHECK(hex::encode(e.token.data(), e.token.size()) == t.token);
    CHECK(hex::encode(e.account.data(), e.account.size()) == (leg == 0 ? t.from : t.to));
    CHECK(e.delta.to_decimal() == (leg == 0 ? "-" + t.value : t.value));
    CHECK(e.block_number == t.block_number);
}

Hash32 address_topic(uint8_t last_byte) {
    Hash32 t{};
    t[31] = last_byte;
    t[12] = 0xaa;  // inside the address part
    return t;
}

RawLog transfer_log(uint8_t from, uint8_t to, uint64_t value) {
    RawLog log;
    log.block_number = 100;
    log.tx_hash[0] = 0x77;
    log.log_index = 5;
    log.address[19] = 0x42;
    log.topic_count = 3;
    log.topics[0] = evm::transfer_topic();
    log.topics[1] = from ? address_topic(from) : Hash32{};
    log.topics[2] = to ? address_topic(to) : Hash32{};
    log.data.assign(32, 0);
    for (int i = 0; i < 8; ++i) log.data[31 - i] = static_cast<uint8_t>(value >> (8 * i));
    return log;
}

}  // namespace

TEST_CASE("normalizer_counts_mainnet_blocks_17173049_17173050_like_ethereum_etl") {
    std::vector<RawLog> logs;
    for (const std::string& line : lines_of(read_file(k_two_blocks + "/expected_logs.json")))
        logs.push_back(from_etl_log(json::parse(line)));
    REQUIRE(logs.size() == 681);

    std::vector<BalanceEvent> events;
    evm::NormalizeStats stats = evm::normalize_logs(logs, events);
    CHECK(stats.transfers == 282);
    CHECK(stats.erc721 == 9);
    CHECK(stats.malformed == 0);
    CHECK(stats.other_topic == 681 - 282 - 9);

    // Events come in log order, debit before credit.
    for (size_t i = 1; i < events.size(); ++i) {
        const BalanceEvent& a = events[i - 1];
        const BalanceEvent& b = events[i];
        CHECK(std::tie(a.block_number, a.event_index, a.leg) <
              std::tie(b.block_number, b.event_index, b.leg));
    }
}

TEST_CASE("normalizer_matches_every_ethereum_etl_erc20_transfer_of_blocks_17173049_17173050") {
    std::vector<RawLog> logs;
    std::map<std::pair<std::string, uint32_t>, int> topic_count;  // (tx, log index) -> topics
    std::map<std::pair<std::string, uint32_t>, std::string> block_hash;
    for (const std::string& line : lines_of(read_file(k_two_blocks + "/expected_logs.json"))) {
        RawLog log = from_etl_log(json::parse(line));
        topic_count[{hex::encode(log.tx_hash), log.log_index}] = log.topic_count;
        block_hash[{hex::encode(log.tx_hash), log.log_index}] = hex::encode(log.block_hash);
        logs.push_back(log);
    }
    std::vector<BalanceEvent> events;
    evm::normalize_logs(logs, events);
    const auto found = by_key(events);

    std::vector<ExpectedTransfer> erc20, erc721;
    for (const std::string& line :
         lines_of(read_file(k_two_blocks + "/expected_token_transfers.json"))) {
        json j = json::parse(quote_value_numbers(line));
        ExpectedTransfer t;
        t.token = j.at("token_address").get<std::string>();
        t.from = j.at("from_address").get<std::string>();
        t.to = j.at("to_address").get<std::string>();
        t.value = j.at("value").get<std::string>();
        t.tx_hash = j.at("transaction_hash").get<std::string>();
        t.log_index = j.at("log_index").get<uint32_t>();
        t.block_number = j.at("block_number").get<uint64_t>();
        auto tc = topic_count.find({t.tx_hash, t.log_index});
        REQUIRE_MESSAGE(tc != topic_count.end(), "no log for " << t.tx_hash << ":" << t.log_index);
        CHECK(block_hash[{t.tx_hash, t.log_index}] == j.at("block_hash").get<std::string>());
        (tc->second == 3 ? erc20 : erc721).push_back(t);
    }
    REQUIRE(erc20.size() + erc721.size() == 291);
    CHECK(erc20.size() == 282);
    CHECK(erc721.size() == 9);

    size_t mints = 0, burns = 0, legs = 0;
    for (const ExpectedTransfer& t : erc20) {
        CAPTURE(t.tx_hash);
        CAPTURE(t.log_index);
        // The amounts are exact: parse them back to be sure they are integers of <= 256 bits.
        CHECK(Amount::from_decimal(t.value).to_decimal() == t.value);
        const bool mint = t.from == k_zero_address;
        const bool burn = t.to == k_zero_address;
        mints += mint;
        burns += burn;
        if (mint) {
            CHECK(found.count(EventKey{t.tx_hash, t.log_index, 0}) == 0);
        } else {
            check_leg(found, t, 0);
            ++legs;
        }
        if (burn) {
            CHECK(found.count(EventKey{t.tx_hash, t.log_index, 1}) == 0);
        } else {
            check_leg(found, t, 1);
            ++legs;
        }
        // A mint or a burn moves one balance: exactly one leg.
        if (mint != burn) {
            size_t n = found.count(EventKey{t.tx_hash, t.log_index, 0}) +
                       found.count(EventKey{t.tx_hash, t.log_index, 1});
            CHECK(n == 1);
        }
    }
    CHECK(mints == 6);  // of the 12 mints and 3 burns in the file, the others are ERC-721
    CHECK(burns == 3);
    // Nothing else: every event belongs to an expected ERC-20 transfer.
    CHECK(events.size() == legs);
    CHECK(events.size() == 2 * erc20.size() - mints - burns);
    CHECK(events.size() == 555);

    // ERC-721 transfers (4 topics) are not ERC-20 transfers: no balance event.
    for (const ExpectedTransfer& t : erc721) {
        CAPTURE(t.tx_hash);
        CHECK(found.count(EventKey{t.tx_hash, t.log_index, 0}) == 0);
        CHECK(found.count(EventKey{t.tx_hash, t.log_index, 1}) == 0);
    }
}

TEST_CASE("normalizer_matches_ethereum_etl_transfers_of_block_483920_from_rpc_logs") {
    json response = json::parse(
        read_file(k_block_483920 + "/rpc.eth_getFilterLogs_transfer_topic0_block_0x76250.json"));
    std::vector<RawLog> logs;
    for (const json& j : response.at("result")) logs.push_back(from_rpc_log(j));
    REQUIRE(logs.size() == 2);

    std::vector<BalanceEvent> events;
    evm::NormalizeStats stats = evm::normalize_logs(logs, events);
    CHECK(stats.transfers == 2);
    CHECK(stats.erc721 + stats.malformed + stats.other_topic == 0);
    CHECK(events.size() == 4);
    const auto found = by_key(events);

    auto rows = lines_of(read_file(k_block_483920 + "/expected_token_transfers.csv"));
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] ==
          "token_address,from_address,to_address,value,transaction_hash,log_index,block_number");
    for (size_t i = 1; i < rows.size(); ++i) {
        std::vector<std::string> f;
        std::stringstream s(rows[i]);
        for (std::string cell; std::getline(s, cell, ',');) f.push_back(cell);
        REQUIRE(f.size() == 7);
        ExpectedTransfer t{f[0],
                           f[1],
                           f[2],
                           f[3],
                           f[4],
                           static_cast<uint32_t>(std::stoul(f[5])),
                           std::stoull(f[6])};
        CAPTURE(t.tx_hash);
        check_leg(found, t, 0);
        check_leg(found, t, 1);
    }
}

TEST_CASE("normalizer_skips_erc721_transfer_with_four_topics") {
    RawLog log = transfer_log(1, 2, 0);
    log.topic_count = 4;
    log.topics[3] = address_topic(9);  // the token id
    log.data.clear();
    std::vector<BalanceEvent> events;
    auto stats = evm::normalize_logs(std::span<const RawLog>(&log, 1), events);
    CHECK(stats.erc721 == 1);
    CHECK(stats.transfers == 0);
    CHECK(events.empty());
}

TEST_CASE("normalizer_emits_debit_then_credit_with_log_identity") {
    RawLog log = transfer_log(1, 2, 1000);
    log.block_hash[5] = 0x99;
    std::vector<BalanceEvent> events;
    auto stats = evm::normalize_logs(std::span<const RawLog>(&log, 1), events);
    CHECK(stats.transfers == 1);
    REQUIRE(events.size() == 2);
    CHECK(events[0].leg == 0);
    CHECK(events[0].delta.to_decimal() == "-1000");
    CHECK(events[0].account.data()[19] == 1);
    CHECK(events[0].account.data()[0] == 0xaa);  // the 20 address bytes are topic bytes 12..31
    CHECK(events[1].leg == 1);
    CHECK(events[1].delta.to_decimal() == "1000");
    CHECK(events[1].account.data()[19] == 2);
    for (const BalanceEvent& e : events) {
        CHECK(e.token == Key(log.address));
        CHECK(e.tx == Key(log.tx_hash));
        CHECK(e.block_hash == log.block_hash);
        CHECK(e.block_number == 100);
        CHECK(e.event_index == 5);
    }
}

TEST_CASE("normalizer_self_transfer_gives_two_legs_that_cancel") {
    RawLog log = transfer_log(7, 7, 555);
    std::vector<BalanceEvent> events;
    evm::normalize_logs(std::span<const RawLog>(&log, 1), events);
    REQUIRE(events.size() == 2);
    CHECK(events[0].account == events[1].account);
    CHECK(events[0].leg == 0);
    CHECK(events[1].leg == 1);
    CHECK((events[0].delta + events[1].delta).is_zero());
    CHECK(events[1].delta.to_decimal() == "555");
}

TEST_CASE("normalizer_zero_amount_transfer_gives_two_zero_legs") {
    RawLog log = transfer_log(1, 2, 0);
    std::vector<BalanceEvent> events;
    auto stats = evm::normalize_logs(std::span<const RawLog>(&log, 1), events);
    CHECK(stats.transfers == 1);
    REQUIRE(events.size() == 2);
    for (const BalanceEvent& e : events) {
        CHECK(e.delta.is_zero());
        CHECK_FALSE(e.delta.is_negative());
        CHECK(e.delta.to_decimal() == "0");
    }
}

TEST_CASE("normalizer_mint_and_burn_give_one_leg") {
    std::vector<RawLog> logs = {transfer_log(0, 2, 10), transfer_log(3, 0, 4)};
    logs[1].log_index = 6;
    std::vector<BalanceEvent> events;
    auto stats = evm::normalize_logs(logs, events);
    CHECK(stats.transfers == 2);
    REQUIRE(events.size() == 2);
    CHECK(events[0].leg == 1);  // mint: the credit only
    CHECK(events[0].event_index == 5);
    CHECK(events[0].delta.to_decimal() == "10");
    CHECK(events[1].leg == 0);  // burn: the debit only
    CHECK(events[1].event_index == 6);
    CHECK(events[1].delta.to_decimal() == "-4");
}

TEST_CASE("normalizer_carries_the_largest_uint256_exactly") {
    RawLog log = transfer_log(1, 2, 0);
    log.data.assign(32, 0xff);
    std::vector<BalanceEvent> events;
    evm::normalize_logs(std::span<const RawLog>(&log, 1), events);
    REQUIRE(events.size() == 2);
    const std::string max =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    CHECK(events[0].delta.to_decimal() == "-" + max);
    CHECK(events[1].delta.to_decimal() == max);
}

TEST_CASE("normalizer_counts_transfer_with_64_bytes_of_data_as_malformed") {
    RawLog log = transfer_log(1, 2, 10);
    log.data.resize(64);
    std::vector<BalanceEvent> events;
    auto stats = evm::normalize_logs(std::span<const RawLog>(&log, 1), events);
    CHECK(stats.malformed == 1);
    CHECK(stats.transfers == 0);
    CHECK(events.empty());
}

TEST_CASE("normalizer_makes_a_malformed_transfer_a_dead_letter_with_its_raw_log") {
    RawLog log = transfer_log(1, 2, 10);
    log.data.resize(64);
    log.log_index = 7;
    std::vector<BalanceEvent> events;
    std::vector<chain::Rejected> rejected;
    auto stats = evm::normalize_logs(std::span<const RawLog>(&log, 1), events, &rejected);
    CHECK(stats.malformed == 1);
    REQUIRE(rejected.size() == 1);
    const chain::Rejected& r = rejected[0];
    CHECK(r.block_number == log.block_number);
    CHECK(r.index == 7);
    CHECK(r.tx == Key(log.tx_hash));
    CHECK(r.token == Key(log.address));
    CHECK(r.error.find("3 topics and 64 bytes of data") != std::string::npos);
    json payload = json::parse(r.payload);
    CHECK(payload["log_index"] == 7);
    CHECK(payload["topics"].size() == 3);
    CHECK(payload["data"].get<std::string>().size() == 2 + 128);
}

TEST_CASE("normalizer_counts_transfer_shapes_that_are_not_erc20_as_malformed") {
    std::vector<RawLog> logs;
    RawLog short_data = transfer_log(1, 2, 10);
    short_data.data.resize(31);
    logs.push_back(short_data);
    RawLog no_data = transfer_log(1, 2, 10);
    no_data.data.clear();
    logs.push_back(no_data);
    RawLog two_topics = transfer_log(1, 2, 10);
    two_topics.topic_count = 2;
    logs.push_back(two_topics);
    RawLog unindexed = transfer_log(1, 2, 10);  // (1,3): from, to, value all in data
    unindexed.topic_count = 1;
    unindexed.data.resize(96);
    logs.push_back(unindexed);
    RawLog four_topics_with_data = transfer_log(1, 2, 10);
    four_topics_with_data.topic_count = 4;
    logs.push_back(four_topics_with_data);
    std::vector<BalanceEvent> events;
    auto stats = evm::normalize_logs(logs, events);
    CHECK(stats.malformed == logs.size());
    CHECK(stats.transfers == 0);
    CHECK(stats.erc721 == 0);
    CHECK(events.empty());
}

TEST_CASE("normalizer_counts_address_topic_with_nonzero_upper_bytes_as_malformed") {
    for (int which : {1, 2}) {
        CAPTURE(which);
        RawLog log = transfer_log(1, 2, 10);
        log.topics[which][0] = 0x01;  // byte 0 of the 12 that must be zero
        RawLog log11 = transfer_log(1, 2, 10);
        log11.topics[which][11] = 0x80;  // the last of them
        std::vector<RawLog> logs = {log, log11};
        std::vector<BalanceEvent> events;
        auto stats = evm::normalize_logs(logs, events);
        CHECK(stats.malformed == 2);
        CHECK(stats.transfers == 0);
        CHECK(events.empty());
    }
}

TEST_CASE("normalizer_counts_other_topic0_and_topicless_logs_as_other_topic") {
    RawLog approval = transfer_log(1, 2, 10);
    // keccak256("Approval(address,address,uint256)")
    approval.topics[0] = hex::decode_fixed<32>(
        "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925", "topic");
    RawLog anonymous = transfer_log(1, 2, 10);
    anonymous.topic_count = 0;
    std::vector<RawLog> logs = {approval, anonymous};
    std::vector<BalanceEvent> events;
    auto stats = evm::normalize_logs(logs, events);
    CHECK(stats.other_topic == 2);
    CHECK(stats.transfers + stats.malformed + stats.erc721 == 0);
    CHECK(events.empty());
}

TEST_CASE("normalizer_appends_to_existing_events_and_stats_add_up") {
    std::vector<BalanceEvent> events(1);
    RawLog log = transfer_log(1, 2, 3);
    auto a = evm::normalize_logs(std::span<const RawLog>(&log, 1), events);
    CHECK(events.size() == 3);
    RawLog nft = log;
    nft.topic_count = 4;
    nft.data.clear();
    auto b = evm::normalize_logs(std::span<const RawLog>(&nft, 1), events);
    a += b;
    CHECK(a.transfers == 1);
    CHECK(a.erc721 == 1);
    CHECK(evm::normalize_logs({}, events).transfers == 0);
    CHECK(hex::encode(evm::transfer_topic()) == evm::k_transfer_topic);
}
