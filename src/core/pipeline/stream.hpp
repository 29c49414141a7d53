#pragma once
// The pipe stages: fetch a range to NDJSON (no database), normalize raw NDJSON to events (pure),
// ingest events NDJSON through the same atomic batch path as backfill.
#include <istream>
#include <ostream>
#include <string>

#include "core/chain/adapter.hpp"
#include "core/config/config.hpp"
#include "core/pipeline/engine.hpp"

namespace chainidx::store {
class Store;
}

namespace chainidx::pipeline {

enum class EmitKind { raw, events };

RunReport emit_range(const config::ChainConfig& chain, uint64_t from, uint64_t to, EmitKind kind,
                     std::ostream& out);

chain::NormalizeStats normalize_stream(const config::ChainConfig& chain, std::istream& in,
                                       const std::string& source, std::ostream& out);

struct IngestLimits {
    uint64_t max_blocks = 2000;
    uint64_t max_events = 50000;
};
RunReport ingest_stream(const config::ChainConfig& chain, store::Store& store, std::istream& in,
                        const std::string& source, const IngestLimits& limits);

}  // namespace chainidx::pipeline
