#include "core/pipeline/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace chainidx::pipeline {

Progress::Progress(std::string chain, std::string verb, uint64_t from, uint64_t to)
    : m_chain(std::move(chain)),
      m_verb(std::move(verb)),
      m_from(from),
      m_to(to),
      m_enabled(isatty(STDERR_FILENO) != 0),
      m_start(std::chrono::steady_clock::now()),
      m_last(m_start) {}

void Progress::update(uint64_t block, uint64_t transfers) {
    if (!m_enabled) return;
    auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(500) && block < m_to) return;
    m_last = now;
    double secs = std::max(1e-3, std::chrono::duration<double>(now - m_start).count());
    double done = static_cast<double>(block - m_from + 1);
    double total = static_cast<double>(m_to - m_from + 1);
    double bps = done / secs;
    double eta = bps > 0 ? (total - done) / bps : 0;
    std::fprintf(stderr,
                 "\r%s %s: block %llu/%llu (%.0f%%)  %.0f blocks/s  %.0f logs/s  ETA %.0fs   ",
                 m_verb.c_str(), m_chain.c_str(), static_cast<unsigned long long>(block),
                 static_cast<unsigned long long>(m_to), 100.0 * done / total, bps,
                 static_cast<double>(transfers) / secs, eta);
    m_printed = true;
}

void Progress::finish() {
    if (m_printed) std::fputc('\n', stderr);
    m_printed = false;
}

}  // namespace chainidx::pipeline
