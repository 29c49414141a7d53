#include "core/rpc/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace chainidx::rpc {

namespace {

// 0 for unlimited (0, negative, NaN), else at least k_min_rate; +inf is unlimited too.
double sane_rate(double rate_per_s) {
    if (!(rate_per_s > 0) || std::isinf(rate_per_s)) return 0;
    return std::max(rate_per_s, TokenBucket::k_min_rate);
}

}  // namespace

TokenBucket::TokenBucket(double rate_per_s, Clock::time_point now)
    : m_rate(sane_rate(rate_per_s)),
      m_capacity(std::max(1.0, m_rate)),
      m_tokens(m_capacity),
      m_last(now) {}

void TokenBucket::refill(Clock::time_point now) {
    if (now <= m_last) return;
    const double elapsed = std::chrono::duration<double>(now - m_last).count();
    m_tokens = std::min(m_capacity, m_tokens + elapsed * m_rate);
    m_last = now;
}

Clock::duration TokenBucket::reserve(Clock::time_point now) {
    if (m_rate <= 0) return Clock::duration::zero();
    refill(now);
    m_tokens -= 1;
    if (m_tokens >= 0) return Clock::duration::zero();
    // Bounded so that the cast to the clock's integer ticks cannot overflow (which would turn a
    // very long wait into none): a year is as good as for ever here.
    const double seconds = std::min(-m_tokens / m_rate, 365.0 * 24 * 3600);
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

void TokenBucket::set_rate(double rate_per_s, Clock::time_point now) {
    rate_per_s = sane_rate(rate_per_s);
    if (m_rate > 0) refill(now);
    const bool lowering = m_rate <= 0 || (rate_per_s > 0 && rate_per_s < m_rate);
    m_rate = rate_per_s;
    m_capacity = std::max(1.0, rate_per_s);
    m_last = std::max(m_last, now);
    m_tokens = lowering ? std::min(m_tokens, 0.0) : std::min(m_tokens, m_capacity);
}

}  // namespace chainidx::rpc
