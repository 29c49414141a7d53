#pragma once
// Batch assembly for backfill and scan: a batch is the fetched spans appended in block order.
#include "core/chain/adapter.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

// Appends a fetched span to the batch: blocks, events, created and spent outputs, and its
// rejected items as open dead letters (see dead_letters.hpp).
void append(store::Batch& batch, chain::Fetched& span);

}  // namespace chainidx::pipeline
