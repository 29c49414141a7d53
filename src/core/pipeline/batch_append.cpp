#include "core/pipeline/batch_append.hpp"

namespace chainidx::pipeline {

void append(store::Batch& batch, chain::Fetched& span) {
    const size_t offset = batch.events.size();
    if (batch.blocks.empty()) batch.from = span.from;
    batch.blocks.insert(batch.blocks.end(), span.headers.begin(), span.headers.end());
    batch.events.insert(batch.events.end(), std::make_move_iterator(span.events.begin()),
                        std::make_move_iterator(span.events.end()));
    batch.created.insert(batch.created.end(), span.created.begin(), span.created.end());
    for (Spend& s : span.spent) {
        if (s.unresolved_event) *s.unresolved_event += offset;
        batch.spent.push_back(std::move(s));
    }
    for (chain::Rejected& r : span.rejected) {
        store::DeadLetter d;
        d.chain = batch.chain;
        d.block_number = r.block_number;
        d.block_hash = r.block_hash;
        d.tx = r.tx;
        d.index = r.index;
        d.token = r.token;
        d.error = std::move(r.error);
        d.payload = std::move(r.payload);
        batch.dead_letters.push_back(std::move(d));
    }
    batch.to = span.to;
}

}  // namespace chainidx::pipeline
