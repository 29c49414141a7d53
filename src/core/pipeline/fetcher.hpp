#pragma once
// The fetch stage: a thread that walks [from, to] in block ranges, fetching each range's Transfer
// logs and headers, and hands them over through a bounded queue (so memory stays flat however
// long the range). The range size adapts: halved when the node refuses or the response is large,
// grown again after small responses.
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/config/config.hpp"
#include "core/model/types.hpp"

namespace chainidx::pipeline {

struct FetchedRange {
    uint64_t from = 0;
    uint64_t to = 0;
    std::vector<BlockHeader> headers;  // exactly to - from + 1, in order
    std::vector<RawLog> logs;
};

// The node changed the chain while ranges were being fetched: refetch, never write.
class ChainMoved : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Do not trust the node: throws ChainMoved unless the range's headers link to each other (and
// the first to `before`, when given) and every log names its own block's hash.
void check_links(const FetchedRange& range, const std::string& chain,
                 const BlockHeader* before = nullptr);

class Fetcher {
  public:
    Fetcher(const config::ChainConfig& chain, uint64_t from, uint64_t to,
            size_t queue_capacity = 3);
    ~Fetcher();  // cancels and joins
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    // The next range in order; nullopt when [from, to] is done. Rethrows a fetch failure.
    std::optional<FetchedRange> next();

  private:
    void run();

    const config::ChainConfig& m_chain;
    uint64_t m_from, m_to;
    size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<FetchedRange> m_queue;
    bool m_done = false;
    bool m_cancel = false;
    std::exception_ptr m_error;
    std::thread m_thread;
};

}  // namespace chainidx::pipeline
