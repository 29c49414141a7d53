#include "core/pipeline/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/chain/keys.hpp"
#include "core/metrics/metrics.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/dead_letters.hpp"
#include "core/pipeline/stop.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

const char* to_string(Step step) {
    switch (step) {
        case Step::committed:
            return "committed";
        case Step::nothing_new:
            return "nothing_new";
        case Step::reorg:
            return "reorg";
        case Step::chain_moved:
            return "chain_moved";
        case Step::dead_letter:
            return "dead_letter";
        case Step::stopped:
            return "stopped";
    }
    return "?";
}

Engine::Engine(const config::ChainConfig& chain, store::Store& store, chain::AdapterFactory make)
    : m_chain(chain),
      m_store(store),
      m_make(std::move(make)),
      m_adapter(m_make(chain)),
      // Where dead letters came from: the first endpoint, redacted.
      m_source(chain.rpc.value.empty() ? "rpc"
                                       : "rpc " + config::redact_rpc_url(chain.rpc.value.front())),
      m_metrics(chain.name) {}

Engine::~Engine() = default;

void Engine::prepare() {
    m_adapter->verify();
    m_store.register_chain(m_chain.name, chain::family_name(m_chain.family.value),
                           m_chain.chain_id.value);
    const uint64_t since = m_store.chain_state(m_chain.name).watermark.value_or(0);
    m_metrics.watermark.set(static_cast<double>(since));
    m_metrics.dead_letters_open.set(static_cast<double>(m_store.open_dead_letters(m_chain.name)));
    for (const Key& t : m_quarantine_requests)
        m_store.quarantine_token(m_chain.name, t, "--quarantine-token", since);
}

void Engine::quarantine(std::vector<Key> tokens) {
    m_quarantine_requests = std::move(tokens);
}

void Engine::stop_at_dead_letter(store::DeadLetter d) {
    d.id = m_store.record_dead_letter(d).first;
    m_metrics.dead_letters_opened.add();
    m_metrics.dead_letters_open.set(static_cast<double>(m_store.open_dead_letters(m_chain.name)));
    const chain::KeyFormat keys(m_chain.family.value);
    throw DataError(stop_message(m_chain.name, keys.token(d.token), d));
}

Heights Engine::read_heights() {
    chain::Heights node = m_adapter->heights();
    Heights h{};
    h.head = node.head;
    h.target = h.head >= m_chain.confirmations.value ? h.head - m_chain.confirmations.value : 0;
    h.safe = node.safe;
    h.finalized = node.finalized;
    // A lagging node can report tags above its own head; never trust a tag past the head.
    h.finalized = std::min(h.finalized, h.head);
    h.safe = std::min(std::max(h.safe, h.finalized), h.head);
    m_metrics.head.set(static_cast<double>(h.head));
    m_metrics.finalized.set(static_cast<double>(h.finalized));
    return h;
}

void Engine::refetch_or_give_up(const std::string& moved, int& in_a_row) {
    if (++in_a_row >= k_fetch_attempts)
        throw DataError(moved + " (after " + std::to_string(k_fetch_attempts) + " fetches)");
    spdlog::info("{}; the chain moved during the fetch, fetching again", moved);
}

UsageError Engine::empty_chain_error() const {
    return UsageError(
        "chain " + m_chain.name +
        ": nothing is indexed yet and no start_block is set, so scan does not know where to "
        "begin. Set start_block in [chains." +
        m_chain.name + "] (the block the first scan starts at), or index history first with " +
        "`chainidx backfill --chain " + m_chain.name +
        " --from A --to B` (scan continues from its end), or pass --from-head to start at the "
        "head less confirmations (balances are then relative to that block)");
}

void Engine::refuse_empty_chain(bool from_head) {
    if (from_head || m_chain.start_block.value) return;
    if (!m_store.chain_state(m_chain.name).watermark) throw empty_chain_error();
}

uint64_t Engine::empty_chain_start(const Heights& h, bool from_head) const {
    if (m_chain.start_block.value) return *m_chain.start_block.value;
    if (!from_head) throw empty_chain_error();
    spdlog::info(
        "{}: nothing indexed and no start_block: --from-head starts at block {} (the head {} "
        "less {} confirmations)",
        m_chain.name, h.target, h.head, m_chain.confirmations.value);
    return h.target;
}

Step Engine::scan_step(ScanCursor& cursor, RunReport& report) {
    for (;;) {
        if (stop_requested()) return Step::stopped;
        if (!cursor.run) {
            const Heights h = read_heights();
            m_store.promote_finality(m_chain.name, h.safe, h.finalized);
            const store::ChainState state = m_store.chain_state(m_chain.name);
            const uint64_t start =
                state.watermark ? *state.watermark + 1 : empty_chain_start(h, cursor.from_head);
            if (!cursor.started) report.first_block = start;
            cursor.started = true;
            report.watermark = state.watermark;
            report.target = h.target;
            if (start > h.target) return check_tip(state, h, cursor, report);
            cursor.run = std::make_unique<RangeRun>(m_chain, m_make, start, h.target, h,
                                                    std::nullopt, state.watermark.has_value());
        }
        const Step s = step(*cursor.run, report);
        if (s == Step::committed) return s;
        if (s == Step::chain_moved) cursor.moved = cursor.run->moved;
        if (s == Step::dead_letter) cursor.dead_letter = cursor.run->dead_letter;
        // Anything but a commit ends the range: the next step looks at the head again (after a
        // reorg from the new watermark, after a chain_moved fetching again).
        cursor.run.reset();
        if (s != Step::nothing_new) return s;
    }
}

RunReport Engine::backfill(uint64_t from, uint64_t to) {
    RunReport report;
    auto t0 = Clock::now();
    report.first_block = from;
    prepare();
    Heights h = read_heights();
    if (to > h.head)
        throw UsageError("--to " + std::to_string(to) + " is above the chain head " +
                         std::to_string(h.head) + " of " + m_chain.name +
                         "; use `chainidx scan` to follow the head");
    m_store.promote_finality(m_chain.name, h.safe, h.finalized);
    uint64_t next = m_store.start_backfill(m_chain.name, from, to);
    if (next > from)
        spdlog::info("{}: backfill {}..{} resumes at block {}", m_chain.name, from, to, next);
    // A resumed job wrote the block below where it resumes: it must still be there.
    auto open = [&] {
        return next > to ? nullptr
                         : std::make_unique<RangeRun>(m_chain, m_make, next, to, h,
                                                      store::BackfillJob{from, to}, next > from);
    };
    std::unique_ptr<RangeRun> run = open();
    int moved = 0;  // chain_moved in a row
    while (run) {
        switch (step(*run, report)) {
            case Step::committed:
                moved = 0;
                break;
            case Step::nothing_new:
                run.reset();
                break;         // the range is done
            case Step::reorg:  // unwound: continue from where the job now stands
                moved = 0;
                run.reset();
                next = m_store.start_backfill(m_chain.name, from, to);
                h = read_heights();
                run = open();
                break;
            case Step::chain_moved:
                refetch_or_give_up(run->moved, moved);
                run->refetch();
                break;
            case Step::dead_letter:
                stop_at_dead_letter(*run->dead_letter);
            case Step::stopped:
                run.reset();
                break;
        }
    }
    report.stopped_by_signal = stop_signal();
    if (!report.stopped_by_signal) m_store.finish_backfill(m_chain.name, from, to);
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return report;
}

RunReport Engine::scan(bool follow, bool from_head) {
    RunReport report;
    auto t0 = Clock::now();
    refuse_empty_chain(from_head);  // before the node is asked or anything is written
    prepare();
    ScanCursor cursor;
    cursor.from_head = from_head;
    int moved = 0;  // chain_moved in a row
    for (bool more = true; more;) {
        switch (scan_step(cursor, report)) {
            case Step::committed:
            case Step::reorg:
                moved = 0;
                break;
            case Step::chain_moved:
                refetch_or_give_up(cursor.moved, moved);
                break;
            case Step::dead_letter:
                stop_at_dead_letter(*cursor.dead_letter);
            case Step::nothing_new:
                more = follow &&
                       sleep_unless_stopped(static_cast<long>(m_chain.poll_interval_ms.value));
                break;
            case Step::stopped:
                more = false;
                break;
        }
    }
    report.stopped_by_signal = stop_signal();
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return report;
}

}  // namespace chainidx::pipeline

namespace chainidx::pipeline {

std::optional<uint64_t> node_head(const config::ChainConfig& chain, std::string& error,
                                  const chain::AdapterFactory& make) {
    try {
        config::ChainConfig quick = chain;
        quick.rpc_retries.value = 0;
        quick.rpc_timeout_ms.value = std::min<uint64_t>(chain.rpc_timeout_ms.value, 5000);
        return make(quick)->head();
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

}  // namespace chainidx::pipeline
