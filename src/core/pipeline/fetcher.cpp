#include "core/pipeline/fetcher.hpp"

#include <algorithm>
#include <utility>

#include "core/model/errors.hpp"

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

Fetcher::Fetcher(const config::ChainConfig& chain, chain::AdapterFactory make, uint64_t from,
                 uint64_t to, bool keep_raw)
    : m_chain(chain), m_make(std::move(make)), m_from(from), m_to(to), m_keep_raw(keep_raw) {
    m_thread = std::thread([this] { run(); });
}

Fetcher::~Fetcher() {
    {
        std::lock_guard lock(m_mutex);
        m_cancel = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

std::optional<FetchedRange> Fetcher::next() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_queue.empty() || m_done || m_error; });
    if (!m_queue.empty()) {
        FetchedRange r = std::move(m_queue.front());
        m_queue.pop_front();
        m_changed.notify_all();
        return r;
    }
    if (m_error) std::rethrow_exception(m_error);
    return std::nullopt;
}

void Fetcher::run() {
    try {
        auto adapter = m_make(m_chain);
        uint64_t start = m_from;
        while (start <= m_to) {
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [&] { return m_queue.size() < m_capacity || m_cancel; });
                if (m_cancel) return;
            }
            FetchedRange fr = adapter->fetch(start, m_to, m_keep_raw);
            if (fr.from != start || fr.to < fr.from || fr.to > m_to)
                throw Error(m_chain.name + ": the adapter fetched " + std::to_string(fr.from) +
                            ".." + std::to_string(fr.to) + " when asked for " +
                            std::to_string(start) + ".." + std::to_string(m_to));
            start = fr.to + 1;
            {
                std::lock_guard lock(m_mutex);
                m_queue.push_back(std::move(fr));
            }
            m_changed.notify_all();
        }
    } catch (...) {
        std::lock_guard lock(m_mutex);
        m_error = std::current_exception();
        m_changed.notify_all();
        return;
    }
    std::lock_guard lock(m_mutex);
    m_done = true;
    m_changed.notify_all();
}

}  // namespace chainidx::pipeline
