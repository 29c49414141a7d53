#pragma once
// The records that flow between stages: a block header, a raw EVM log as the node returned it,
// and the balance event the normalizer derives from it.
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/amount.hpp"
#include "core/model/hex.hpp"

namespace chainidx {

// Finality stages, stored per block and per event. Numbers are stored in the database.
enum class Finality : int16_t { pending = 0, safe = 1, finalized = 2 };
const char* finality_name(Finality f);
Finality parse_finality(const std::string& name);  // throws UsageError

struct BlockHeader {
    uint64_t number = 0;
    Hash32 hash{};
    Hash32 parent_hash{};
    uint64_t timestamp = 0;
};

struct RawLog {
    uint64_t block_number = 0;
    Hash32 block_hash{};
    Hash32 tx_hash{};
    uint32_t log_index = 0;
    Address address{};
    uint8_t topic_count = 0;
    Hash32 topics[4]{};  // only the first min(topic_count, 4) are set
    std::vector<uint8_t> data;
};

// One signed change of one account's balance of one token. Its identity, event_id, is
// (chain, tx_hash, event_index, leg): inserting the same event twice is a no-op.
struct BalanceEvent {
    uint64_t block_number = 0;
    Hash32 block_hash{};
    Hash32 tx_hash{};
    uint32_t event_index = 0;  // the log index for EVM
    uint8_t leg = 0;           // 0 = debit of the sender, 1 = credit of the receiver
    Address token{};
    Address account{};
    Amount delta;
};

// "chain:0xtx:index:leg" — the printable form of an event's identity.
std::string event_id(const std::string& chain, const BalanceEvent& e);

}  // namespace chainidx
