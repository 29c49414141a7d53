#pragma once
// The fetch stage: a thread with its own chain adapter walks [from, to] in spans the adapter
// picks, fetching and normalizing each, and hands them over through a bounded queue (so memory
// stays flat however long the range, and normalizing overlaps with writing).
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/chain/adapter.hpp"
#include "core/config/config.hpp"

namespace chainidx::pipeline {

using FetchedRange = chain::Fetched;

// The node changed the chain while ranges were being fetched: refetch, never write.
class ChainMoved : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Do not trust the node: throws ChainMoved unless the range's headers link to each other (and
// the first to `before`, when given) and every event names its own block's hash.
void check_links(const FetchedRange& range, const std::string& chain,
                 const BlockHeader* before = nullptr);

class Fetcher {
  public:
    Fetcher(const config::ChainConfig& chain, chain::AdapterFactory make, uint64_t from,
            uint64_t to, bool keep_raw = false);
    ~Fetcher();  // cancels and joins
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    // The next range in order; nullopt when [from, to] is done. Rethrows a fetch failure.
    std::optional<FetchedRange> next();

  private:
    void run();

    const config::ChainConfig& m_chain;
    chain::AdapterFactory m_make;
    uint64_t m_from, m_to;
    bool m_keep_raw;
    size_t m_capacity = 3;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<FetchedRange> m_queue;
    bool m_done = false;
    bool m_cancel = false;
    std::exception_ptr m_error;
    std::thread m_thread;
};

}  // namespace chainidx::pipeline
