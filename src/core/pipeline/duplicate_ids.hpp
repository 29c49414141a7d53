#pragma once
// Items of one batch that share an event id (chain, tx, index, leg). The same content twice (a
// node repeating a log, Bitcoin's BIP30 coinbases) is one event: the later copy is dropped. Other
// content under the same id is two items the index cannot tell apart: the later item's events
// leave the batch and it becomes a dead letter, so the chain stops at its block instead of
// losing a transfer without a trace.
#include "core/chain/keys.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

// Returns how many identical copies were dropped.
size_t set_aside_duplicate_ids(store::Batch& batch, const chain::KeyFormat& keys);

}  // namespace chainidx::pipeline
