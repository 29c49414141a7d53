#pragma once
// Batch assembly shared by backfill/scan and ingest: appending fetched spans, and (Bitcoin)
// resolving inputs whose node did not say which output they spend.
#include "core/chain/adapter.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

// Appends a fetched span to the batch: blocks, events, created and spent outputs, and its
// rejected items as open dead letters (see dead_letters.hpp).
void append(store::Batch& batch, chain::Fetched& span);

// Fills in every unresolved input debit of the batch: from outputs the batch itself creates,
// else from the store's UTXO table. Throws DataError naming the block, tx and output when the
// output is unknown (the indexed history does not reach back to its creation).
void resolve_spends(store::Store& store, store::Batch& batch);

}  // namespace chainidx::pipeline
