#include "core/pipeline/range_run.hpp"

#include <chrono>
#include <utility>

namespace chainidx::pipeline {

RangeRun::RangeRun(const config::ChainConfig& chain, chain::AdapterFactory make, uint64_t from,
                   uint64_t to, const Heights& heights_, std::optional<store::BackfillJob> job_,
                   bool parent_required_)
    : heights(heights_),
      job(job_),
      parent_required(parent_required_),
      progress(chain.name, job_ ? "backfill" : "scan", from, to),
      m_chain(chain),
      m_make(std::move(make)),
      m_next(from),
      m_to(to),
      m_fetcher(std::make_unique<Fetcher>(chain, m_make, from, to, false, heights_.finalized)) {}

std::optional<FetchedRange> RangeRun::next() {
    if (m_held) {
        auto r = std::move(m_held);
        m_held.reset();
        return r;
    }
    const auto since = std::chrono::steady_clock::now();
    auto r = m_fetcher->next();
    waited += std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
    return r;
}

bool RangeRun::ready() {
    return m_held.has_value() || m_fetcher->ready();
}

void RangeRun::hold(FetchedRange range) {
    m_held = std::move(range);
}

void RangeRun::refetch() {
    m_held.reset();
    m_fetcher.reset();  // cancels and joins the old workers before new ones start
    m_fetcher = std::make_unique<Fetcher>(m_chain, m_make, m_next, m_to, false, heights.finalized);
}

void RangeRun::committed(uint64_t last) {
    m_next = last + 1;
    parent_required = true;  // this run wrote it
}

}  // namespace chainidx::pipeline
