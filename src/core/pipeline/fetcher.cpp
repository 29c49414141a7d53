#include "core/pipeline/fetcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/chain/evm/evm_client.hpp"
#include "core/rpc/json_rpc.hpp"

namespace chainidx::pipeline {

namespace {
// Responses above this are split next time (memory and latency); below a quarter, ranges grow.
constexpr size_t k_target_response_bytes = size_t(8) << 20;
constexpr uint64_t k_initial_range = 50;
}  // namespace

void check_links(const FetchedRange& r, const std::string& chain, const BlockHeader* before) {
    if (before && !r.headers.empty() && r.headers.front().parent_hash != before->hash)
        throw ChainMoved(chain + ": block " + std::to_string(r.from) + " does not link to block " +
                         std::to_string(before->number));
    for (size_t i = 1; i < r.headers.size(); ++i)
        if (r.headers[i].parent_hash != r.headers[i - 1].hash)
            throw ChainMoved(chain + ": block " + std::to_string(r.headers[i].number) +
                             " does not link to block " + std::to_string(r.headers[i - 1].number));
    for (const RawLog& log : r.logs)
        if (log.block_hash != r.headers[log.block_number - r.from].hash)
            throw ChainMoved(chain + ": a log of block " + std::to_string(log.block_number) +
                             " names another block hash than its header");
}

Fetcher::Fetcher(const config::ChainConfig& chain, uint64_t from, uint64_t to, size_t capacity)
    : m_chain(chain), m_from(from), m_to(to), m_capacity(capacity) {
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
        evm::EvmClient client(m_chain);
        const uint64_t max_range = std::max<uint64_t>(1, m_chain.batch_blocks.value);
        uint64_t range = std::min(k_initial_range, max_range);
        // The smallest span the node refused: ranges never grow back to it (learned for the run).
        uint64_t refused = UINT64_MAX;
        uint64_t start = m_from;
        while (start <= m_to) {
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [&] { return m_queue.size() < m_capacity || m_cancel; });
                if (m_cancel) return;
            }
            uint64_t end = std::min(m_to, start + range - 1);
            FetchedRange fr;
            fr.from = start;
            fr.to = end;
            try {
                fr.logs = client.transfer_logs(start, end);
            } catch (const rpc::CallError& e) {
                if (!e.result_too_large() || end == start) throw;
                refused = std::min(refused, end - start + 1);
                range = std::max<uint64_t>(1, (end - start + 1) / 2);
                spdlog::debug("{}: eth_getLogs {}..{} refused ({}); range now {} blocks",
                              m_chain.name, start, end, e.node_message(), range);
                continue;
            }
            size_t bytes = client.last_response_bytes();
            fr.headers = client.headers(start, end);
            if (bytes > k_target_response_bytes && range > 1)
                range = std::max<uint64_t>(1, range / 2);
            else if (bytes < k_target_response_bytes / 4 && end - start + 1 == range)
                range = std::min({max_range, range * 2, refused - 1});
            start = end + 1;
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
