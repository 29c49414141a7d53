#pragma once
// The records that flow between stages: a block header, a raw EVM log as the node returned it,
// and the balance event the normalizer derives from it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/amount.hpp"
#include "core/model/hex.hpp"
#include "core/model/key.hpp"

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
    // A slot the chain skipped (Solana): no block, so hash = parent_hash = the block below's.
    bool skipped = false;
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

// One signed change of one account's balance of one token. Its identity is
// (chain, tx, event_index, leg): inserting the same event twice is a no-op. What index and leg
// mean is the chain family's (see its normalizer): EVM log index and 0 debit / 1 credit; Bitcoin
// input or output position and 0 input / 1 output; Solana account index and 0 SOL / 1 SPL /
// 2 reward. An empty token is the chain's native coin.
struct BalanceEvent {
    uint64_t block_number = 0;
    Hash32 block_hash{};
    Key tx;
    uint32_t event_index = 0;
    uint8_t leg = 0;
    Key token;
    Key account;
    Amount delta;
};

// The event's identity (tx, index, leg) as bytes, for hashing within a batch or a stream.
std::string event_id_bytes(const BalanceEvent& e);

// Bitcoin: an output (txid, vout), and the balance it carries.
struct OutPoint {
    Key txid;
    uint32_t vout = 0;
};
struct Utxo {
    OutPoint at;
    Key account;
    int64_t value = 0;  // satoshis
    uint64_t block = 0;
};
// An input spending `at` in `block`. When the node did not say what it spends (no getblock
// verbosity 3), events[*unresolved_event] is its debit, account and amount still to be filled
// in from the UTXO table.
struct Spend {
    OutPoint at;
    uint64_t block = 0;
    std::optional<size_t> unresolved_event;
};

// What the database can hold (bigint block numbers and timestamps, integer event indexes).
// Every number that comes from outside is checked against these before it is accepted.
inline constexpr uint64_t k_max_block_number = INT64_MAX;
inline constexpr uint64_t k_max_timestamp = INT64_MAX;
inline constexpr uint64_t k_max_event_index = INT32_MAX;
// Why the record cannot be stored ("block number 9223372036854775808 is above …"), or empty.
std::string unstorable(const BlockHeader& header);
std::string unstorable(const BalanceEvent& event);

}  // namespace chainidx
