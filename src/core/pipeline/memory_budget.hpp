#pragma once
// What the run loop may hold in memory, in bytes, whatever the size of the blocks: documented in
// the README ("Memory"). Together with simdjson's parse buffers of the answers in flight they keep
// a run's peak RSS under ~150 MB on every family.
#include <cstddef>
#include <cstdint>

#include "core/chain/adapter.hpp"

namespace chainidx::pipeline {

// Fetched and normalized, not yet handed to the writer (the reorder buffer), plus the spans being
// fetched, estimated from the bytes per block seen so far.
inline constexpr size_t k_fetch_budget_bytes = size_t(32) << 20;
// One span is at most this share of the budget, so that several workers always fit in it.
inline constexpr size_t k_span_share = 8;
// A batch is committed once it holds this much (or k_batch_events events, or batch_blocks blocks).
inline constexpr size_t k_batch_budget_bytes = size_t(24) << 20;

// The memory a fetched span holds (headers, events, raw lines, UTXO records, dead letters).
size_t approx_bytes(const chain::Fetched& f);

// While a span is fetched it holds, besides what it becomes, the node's answer (the HTTP body) and
// simdjson's parse of it (tape, structural indexes, strings): how much per byte of answer depends
// on the answer's shape, so it is each family's (chain::FamilyInfo::answer_hold).

}  // namespace chainidx::pipeline
