#pragma once
// Cutting a fetched span at a block boundary, so that a batch stays within its caps however many
// events one span holds (a Solana slot range can hold 100k+).
#include <cstddef>
#include <cstdint>

#include "core/chain/adapter.hpp"

namespace chainidx::pipeline {

// The last block of `span` up to which its events fit in `room` events (at least its first
// block, so that a run always moves on).
uint64_t last_block_within(const chain::Fetched& span, size_t room);

// Moves blocks span.from..last (span.from <= last < span.to) out of `span` into the result;
// `span` keeps last + 1..to. Statistics stay with the front part.
chain::Fetched split_front(chain::Fetched& span, uint64_t last);

}  // namespace chainidx::pipeline
