#include "core/chain/evm/normalizer.hpp"

#include "core/chain/evm/raw_block.hpp"

#include <algorithm>

namespace chainidx::evm {

const Hash32& transfer_topic() {
    static const Hash32 topic = hex::decode_fixed<32>(k_transfer_topic, "transfer topic");
    return topic;
}

// An indexed address topic is 12 zero bytes then the address; anything else is not an address.
static bool topic_to_address(const Hash32& topic, Address& out) {
    if (!std::all_of(topic.begin(), topic.begin() + 12, [](uint8_t b) { return b == 0; }))
        return false;
    std::copy(topic.begin() + 12, topic.end(), out.begin());
    return true;
}

static bool is_zero(const Address& a) {
    return std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
}

// A Transfer log that is not an ERC-20 Transfer, as a dead letter.
static chain::Rejected rejected_log(const RawLog& log) {
    chain::Rejected r;
    r.block_number = log.block_number;
    r.block_hash = log.block_hash;
    r.tx = Key(log.tx_hash);
    r.index = log.log_index;
    r.token = Key(log.address);
    r.error = "block " + std::to_string(log.block_number) + " log " +
              std::to_string(log.log_index) + " of token " + hex::encode(log.address) +
              ": a Transfer log with " + std::to_string(log.topic_count) + " topics and " +
              std::to_string(log.data.size()) +
              " bytes of data is not an ERC-20 Transfer (3 topics holding two addresses, 32 "
              "bytes of data)";
    r.payload = raw_log_json(log).dump();
    return r;
}

NormalizeStats normalize_logs(std::span<const RawLog> logs, std::vector<BalanceEvent>& out,
                              std::vector<chain::Rejected>* rejected) {
    NormalizeStats stats;
    const Hash32& topic0 = transfer_topic();
    for (const RawLog& log : logs) {
        if (log.topic_count == 0 || log.topics[0] != topic0) {
            ++stats.other_topic;
            continue;
        }
        if (log.topic_count == 4 && log.data.empty()) {
            ++stats.erc721;
            continue;
        }
        Address from{}, to{};
        if (log.topic_count != 3 || log.data.size() != 32 ||
            !topic_to_address(log.topics[1], from) || !topic_to_address(log.topics[2], to)) {
            ++stats.malformed;
            if (rejected) rejected->push_back(rejected_log(log));
            continue;
        }
        ++stats.transfers;
        Amount value = Amount::from_be_bytes(log.data.data(), log.data.size());
        BalanceEvent e;
        e.block_number = log.block_number;
        e.block_hash = log.block_hash;
        e.tx = log.tx_hash;
        e.event_index = log.log_index;
        e.token = log.address;
        if (!is_zero(from)) {
            e.leg = 0;
            e.account = from;
            e.delta = -value;
            out.push_back(e);
        }
        if (!is_zero(to)) {
            e.leg = 1;
            e.account = to;
            e.delta = value;
            out.push_back(e);
        }
    }
    return stats;
}

}  // namespace chainidx::evm
