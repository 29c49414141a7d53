#pragma once
// replay: re-fetch and re-normalize an indexed range, compare with what is stored, and apply the
// difference (stale events removed with their deltas, missing ones added, balances re-derived)
// in one transaction. Rerunning is a no-op.
#include "core/config/config.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

store::ReplayResult replay_range(const config::ChainConfig& chain, store::Store& store,
                                 uint64_t from, uint64_t to, bool dry_run);

}  // namespace chainidx::pipeline
