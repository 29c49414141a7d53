#pragma once
// The EVM normalizer: a pure function from raw logs to balance events. A `Transfer` log with
// exactly 3 topics and 32 bytes of data is an ERC-20 transfer: a debit of the sender (leg 0) and a
// credit of the receiver (leg 1); the zero address is mint/burn and gets no leg. Every other log
// with the Transfer topic (ERC-721's 4 topics, bad data) is counted, never dropped silently.
#include <span>
#include <vector>

#include "core/chain/adapter.hpp"
#include "core/model/types.hpp"

namespace chainidx::evm {

// keccak256("Transfer(address,address,uint256)")
inline constexpr const char* k_transfer_topic =
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const Hash32& transfer_topic();

using chain::NormalizeStats;

// Appends the events of `logs` to `out`, in log order (debit before credit), and each Transfer
// log that is not an ERC-20 Transfer to `rejected` (when given) as a dead letter.
NormalizeStats normalize_logs(std::span<const RawLog> logs, std::vector<BalanceEvent>& out,
                              std::vector<chain::Rejected>* rejected = nullptr);

}  // namespace chainidx::evm
