#include "core/pipeline/memory_budget.hpp"

namespace chainidx::pipeline {

size_t approx_bytes(const chain::Fetched& f) {
    size_t n = sizeof(f) + f.headers.capacity() * sizeof(BlockHeader) +
               f.events.capacity() * sizeof(BalanceEvent) + f.created.capacity() * sizeof(Utxo) +
               f.spent.capacity() * sizeof(Spend) + f.raw.capacity() * sizeof(std::string) +
               f.rejected.capacity() * sizeof(chain::Rejected);
    for (const std::string& line : f.raw) n += line.capacity();
    for (const chain::Rejected& r : f.rejected) n += r.payload.capacity() + r.error.capacity();
    return n;
}

}  // namespace chainidx::pipeline
