#pragma once
// reconcile: compare indexed balances with the chain's own at one block, check that balances
// equal the sum of their events, classify what differs, and record the run.
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/model/types.hpp"

namespace chainidx::store {
class Store;
}

namespace chainidx::reconcile {

struct Options {
    std::optional<uint64_t> block;  // default: the watermark
    std::optional<Finality> at;     // or the safe/finalized height
    std::vector<Key> tokens;        // empty: all
    std::vector<Key> accounts;      // empty: all
    size_t sample = 0;              // 0: every pair
};

struct Drift {
    std::string token, account;
    std::string indexed, on_chain;  // decimal; on_chain empty when balanceOf failed
    std::string difference;         // on_chain - indexed
    std::string classification;
};

struct SumMismatch {
    std::string token, account, balance, sum_of_events;
};

struct Report {
    std::string chain;
    uint64_t block = 0;
    uint64_t pairs_checked = 0;
    uint64_t pairs_matching = 0;
    std::string source;        // what the indexed balances were compared with
    uint64_t answered_at = 0;  // the block that source answered at
    std::vector<Drift> drifts;
    std::vector<SumMismatch> sum_mismatches;
    int64_t run_id = 0;
    bool clean() const { return drifts.empty() && sum_mismatches.empty(); }
};

Report run(const config::ChainConfig& chain, store::Store& store, const Options& options);

}  // namespace chainidx::reconcile
