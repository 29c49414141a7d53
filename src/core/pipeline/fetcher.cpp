#include "core/pipeline/fetcher.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include <spdlog/spdlog.h>

#include "core/model/errors.hpp"
#include "core/pipeline/memory_budget.hpp"
#include "core/rpc/endpoint_registry.hpp"

namespace chainidx::pipeline {

void check_links(const FetchedRange& r, const std::string& chain, const BlockHeader* before) {
    // A number the database cannot hold is the node's fault, not a reason to retry.
    auto refuse = [&](const std::string& why) {
        throw DataError(chain + ": the node's answer for blocks " + std::to_string(r.from) + ".." +
                        std::to_string(r.to) + " cannot be stored: " + why);
    };
    for (const BlockHeader& h : r.headers)
        if (std::string why = unstorable(h); !why.empty()) refuse(why);
    for (const BalanceEvent& e : r.events)
        if (std::string why = unstorable(e); !why.empty()) refuse(why);
    if (r.headers.size() != r.to - r.from + 1 || r.headers.front().number != r.from)
        throw ChainMoved(chain + ": the node's answer for blocks " + std::to_string(r.from) + ".." +
                         std::to_string(r.to) + " does not cover every block");
    if (before && r.headers.front().parent_hash != before->hash)
        throw ChainMoved(chain + ": block " + std::to_string(r.from) + " does not link to block " +
                         std::to_string(before->number));
    for (size_t i = 1; i < r.headers.size(); ++i)
        if (r.headers[i].parent_hash != r.headers[i - 1].hash ||
            r.headers[i].number != r.headers[i - 1].number + 1)
            throw ChainMoved(chain + ": block " + std::to_string(r.headers[i].number) +
                             " does not link to block " + std::to_string(r.headers[i - 1].number));
    for (const BalanceEvent& e : r.events)
        if (e.block_number < r.from || e.block_number > r.to ||
            e.block_hash != r.headers[e.block_number - r.from].hash)
            throw ChainMoved(chain + ": an event of block " + std::to_string(e.block_number) +
                             " names another block hash than its header");
}

namespace {
// Workers per endpoint are bounded by its concurrency cap (the endpoint admits fewer while it
// is slow or refusing); more than this many threads would only wait.
constexpr uint64_t k_max_workers = 32;
}  // namespace

namespace {
// The chain's config with endpoint `k` first and the others after it, in their order.
config::ChainConfig preferring(const config::ChainConfig& chain, size_t k) {
    config::ChainConfig c = chain;
    auto& urls = c.rpc.value;
    std::rotate(urls.begin(), urls.begin() + static_cast<std::ptrdiff_t>(k), urls.end());
    return c;
}

EndpointShare::Probe probe_for(const config::ChainConfig& chain) {
    return [urls = chain.rpc.value](size_t k) {
        EndpointShare::Admits a;
        if (auto e = rpc::endpoint_registry().find(urls[k])) {
            a.limit = e->in_flight_limit();
            a.open = e->breaker_state() != rpc::BreakerState::closed;
        }
        return a;
    };
}
}  // namespace

Fetcher::Fetcher(const config::ChainConfig& chain, chain::AdapterFactory make, uint64_t from,
                 uint64_t to, bool keep_raw, std::optional<uint64_t> shared_to)
    : m_chain(chain),
      m_make(std::move(make)),
      m_to(to),
      m_keep_raw(keep_raw),
      m_shared_to(chain.rpc.value.size() > 1 && shared_to ? *shared_to : 0),
      m_answer_hold(chain::family_info(chain.family.value).answer_hold),
      m_next_claim(from),
      m_next_out(from),
      m_share(std::max<size_t>(1, chain.rpc.value.size()), probe_for(chain)),
      m_verified(std::make_unique<std::once_flag[]>(m_share.size())) {
    for (size_t k = 0; k < m_share.size(); ++k)
        m_configs.push_back(k == 0 ? chain : preferring(chain, k));
    if (from > to) return;
    const uint64_t endpoints = m_share.size();
    const uint64_t workers =
        std::min({k_max_workers, std::max<uint64_t>(1, chain.rpc_max_concurrency.value) * endpoints,
                  to - from + 1});
    m_threads.reserve(workers);
    for (uint64_t i = 0; i < workers; ++i) m_threads.emplace_back([this] { work(); });
}

Fetcher::~Fetcher() {
    {
        std::lock_guard lock(m_mutex);
        m_cancel = true;
    }
    m_changed.notify_all();
    for (std::thread& t : m_threads) t.join();
}

unsigned Fetcher::most_in_flight() const {
    std::lock_guard lock(m_mutex);
    return m_most_in_flight;
}

std::vector<uint64_t> Fetcher::spans_by_endpoint() const {
    std::lock_guard lock(m_mutex);
    std::vector<uint64_t> out;
    for (size_t k = 0; k < m_share.size(); ++k) out.push_back(m_share.spans_done(k));
    return out;
}

uint64_t Fetcher::span_cap() const {
    // Until the first span is in, its size in bytes is unknown: the adapter's own guess.
    if (m_seen_blocks == 0) return std::numeric_limits<uint64_t>::max();
    const double cap = static_cast<double>(k_fetch_budget_bytes / k_span_share) / held_per_block();
    return std::max<uint64_t>(1, static_cast<uint64_t>(cap));
}

bool Fetcher::may_claim(uint64_t blocks) const {
    // The span the writer waits for is always fetched, so the budget can never stall the run.
    if (m_next_claim == m_next_out) return true;
    if (m_in_flight >= m_active) return false;
    // Until a span is in, nothing says what one costs (a Bitcoin block's answer may be 10 MB):
    // one at a time, costing one round trip at the start.
    if (m_seen_blocks == 0) return m_in_flight == 0;
    const double held = static_cast<double>(m_buffered_bytes) +
                        static_cast<double>(m_in_flight_blocks + blocks) * held_per_block();
    return held <= static_cast<double>(k_fetch_budget_bytes);
}

double Fetcher::held_per_block() const {
    return (static_cast<double>(m_seen_bytes) +
            m_answer_hold * static_cast<double>(m_seen_answer_bytes)) /
           static_cast<double>(m_seen_blocks);
}

bool Fetcher::ready_locked() {
    if (m_next_out > m_to || (!m_ready.empty() && m_ready.begin()->first == m_next_out))
        return true;
    // The writer waits for the node: one more span in flight would have helped. (When the
    // writer is the slower side, more would only cost memory and the database's CPU.)
    if (m_active < m_threads.size()) {
        ++m_active;
        m_changed.notify_all();
    }
    return false;
}

bool Fetcher::ready() {
    std::lock_guard lock(m_mutex);
    return ready_locked();
}

std::optional<FetchedRange> Fetcher::next() {
    std::unique_lock lock(m_mutex);
    if (!ready_locked())
        m_changed.wait(lock, [&] {
            return m_next_out > m_to || (!m_ready.empty() && m_ready.begin()->first == m_next_out);
        });
    if (m_next_out > m_to) return std::nullopt;
    Piece piece = std::move(m_ready.begin()->second);
    if (piece.error) std::rethrow_exception(piece.error);  // the fetcher is done for
    m_ready.erase(m_ready.begin());
    m_buffered_bytes -= piece.bytes;
    m_next_out = piece.range->to + 1;
    lock.unlock();
    m_changed.notify_all();
    return std::move(piece.range);
}

chain::ChainAdapter& Fetcher::adapter_for(
    std::vector<std::unique_ptr<chain::ChainAdapter>>& adapters, size_t endpoint) {
    if (!adapters[endpoint]) adapters[endpoint] = m_make(m_configs[endpoint]);
    // Another endpoint serving another chain would mix its blocks into this one. Once per
    // endpoint: the other workers wait for the check (a failed one is tried again).
    if (endpoint > 0) std::call_once(m_verified[endpoint], [&] { adapters[endpoint]->verify(); });
    return *adapters[endpoint];
}

void Fetcher::work() {
    std::vector<std::unique_ptr<chain::ChainAdapter>> adapters(m_configs.size());
    uint64_t at = 0;  // where this worker's fetch stands, for the failure's place
    bool started = false;
    try {
        adapters[0] = m_make(m_configs[0]);
        started = true;
        for (;;) {
            uint64_t start, end;
            size_t endpoint = 0;
            {
                std::unique_lock lock(m_mutex);
                uint64_t blocks = 0;
                m_changed.wait(lock, [&] {
                    if (m_cancel || m_failed || m_next_claim > m_to) return true;
                    endpoint = m_share.choose(m_next_claim, m_shared_to);
                    const chain::ChainAdapter* a =
                        adapters[endpoint] ? adapters[endpoint].get() : adapters[0].get();
                    const uint64_t last = EndpointShare::shared_end(
                        endpoint, std::min(m_to, m_next_claim + a->span_hint() - 1), m_shared_to);
                    blocks = std::min(span_cap(), last - m_next_claim + 1);
                    return may_claim(std::max<uint64_t>(1, blocks));
                });
                if (m_cancel || m_failed || m_next_claim > m_to) return;
                start = at = m_next_claim;
                end = start + std::max<uint64_t>(1, blocks) - 1;
                m_next_claim = end + 1;
                m_in_flight_blocks += end - start + 1;
                m_most_in_flight = std::max(m_most_in_flight, ++m_in_flight);
                m_share.started(endpoint);
            }
            const auto began = std::chrono::steady_clock::now();
            // The adapter may answer a shorter span (the node refused a long one): fetch the
            // rest of it here, so the spans after it go on meanwhile.
            while (at <= end) {
                FetchedRange fr;
                try {
                    fr = adapter_for(adapters, endpoint).fetch(at, end, m_keep_raw);
                } catch (const UsageError&) {
                    throw;  // a configuration problem (another chain): not the span's
                } catch (const std::exception& e) {
                    if (endpoint == 0) throw;
                    bool first_failure;
                    {
                        std::lock_guard lock(m_mutex);
                        m_share.finished(endpoint, 0, 0);
                        first_failure = m_share.failed(endpoint);
                        m_share.started(0);
                    }
                    const std::string other =
                        config::redact_rpc_url(m_configs[endpoint].rpc.value[0]);
                    spdlog::log(first_failure ? spdlog::level::warn : spdlog::level::debug,
                                "{}: blocks {}..{} failed via {} ({}); fetching them via {}, and "
                                "no more spans for {} for {} s",
                                m_chain.name, at, end, other, e.what(),
                                config::redact_rpc_url(m_configs[0].rpc.value[0]), other,
                                EndpointShare::k_sit_out.count());
                    endpoint = 0;
                    continue;
                }
                if (fr.from != at || fr.to < fr.from || fr.to > end)
                    throw Error(m_chain.name + ": the adapter fetched " + std::to_string(fr.from) +
                                ".." + std::to_string(fr.to) + " when asked for " +
                                std::to_string(at) + ".." + std::to_string(end));
                const uint64_t blocks = fr.to - fr.from + 1;
                Piece piece;
                piece.bytes = approx_bytes(fr);
                piece.range = std::move(fr);
                {
                    std::lock_guard lock(m_mutex);
                    m_seen_blocks += blocks;
                    m_seen_bytes += piece.bytes;
                    m_seen_answer_bytes += piece.range->answer_bytes;
                    m_buffered_bytes += piece.bytes;
                    m_in_flight_blocks -= blocks;
                    if (at + blocks > end) {
                        --m_in_flight;
                        m_share.finished(
                            endpoint, end - start + 1,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - began)
                                .count());
                    }
                    m_ready.emplace(at, std::move(piece));
                    if (m_cancel) return;
                }
                m_changed.notify_all();
                at += blocks;
            }
            for (auto& a : adapters)
                if (a) a->trim();
        }
    } catch (...) {
        std::lock_guard lock(m_mutex);
        m_failed = true;
        // A worker that failed before taking a span fails where the next one would start.
        if (!started) at = m_next_claim;
        Piece piece;
        piece.error = std::current_exception();
        if (at <= m_to) m_ready.emplace(at, std::move(piece));
        m_changed.notify_all();
    }
}

}  // namespace chainidx::pipeline
