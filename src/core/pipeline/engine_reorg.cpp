// Reorgs: the walk back to the common ancestor and the unwind, the second opinion a deep one
// needs, and the check that the node still has the block the watermark stands on.
#include <spdlog/spdlog.h>

#include "core/alert/webhook.hpp"
#include "core/metrics/metrics.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/engine.hpp"
#include "core/store/store.hpp"

namespace chainidx::pipeline {

uint64_t Engine::unwind_reorg(uint64_t mismatch_at, const std::string& reason, RunReport& report) {
    store::ChainState state = m_store.chain_state(m_chain.name);
    // Walk back from the block whose child did not link until stored and node agree.
    uint64_t n = mismatch_at;
    while (true) {
        auto stored = m_store.block_hash(m_chain.name, n);
        if (!stored)
            throw DataError("chain " + m_chain.name + ": reorg at block " +
                            std::to_string(mismatch_at + 1) + ": block " + std::to_string(n) +
                            " is not stored, so the common ancestor cannot be found; "
                            "use `chainidx rollback --to-block N` to a block before the fork");
        if (m_adapter->header(n).hash == *stored) break;
        if (n <= state.finalized_block)
            throw DataError("chain " + m_chain.name + ": reorg deeper than finality: block " +
                            std::to_string(n) + " (finalized height " +
                            std::to_string(state.finalized_block) +
                            ") differs from the stored one; stopping without changing anything");
        if (n == 0) break;
        --n;
    }
    if (n == mismatch_at)
        throw ChainMoved(m_chain.name + ": " + reason + ", yet block " + std::to_string(n) +
                         " is unchanged: the node answered from two branches");
    const Hash32 new_hash = m_adapter->header(n + 1).hash;
    confirm_deep_reorg(n, state.watermark.value_or(mismatch_at) - n, new_hash);
    store::UnwindRequest req;
    req.chain = m_chain.name;
    req.to_block = n;
    req.kind = "reorg";
    req.new_hash = new_hash;
    req.reason = reason;
    store::UnwindResult res = m_store.unwind(req);
    ++report.reorgs;
    m_metrics.reorgs.add();
    m_metrics.reorg_depth.observe(static_cast<double>(res.old_head - n));
    m_metrics.watermark.set(static_cast<double>(n));
    spdlog::warn(
        "{}: reorg: unwound {} blocks above the common ancestor {} (old head {}), "
        "reverted {} events",
        m_chain.name, res.old_head - n, n, res.old_head, res.events_reverted);
    const uint64_t depth = res.old_head - n;
    if (depth >= alert::notifier().settings().reorg_depth)
        alert::notifier().send({"reorg",
                                m_chain.name,
                                std::to_string(n),
                                m_chain.name + ": reorg " + std::to_string(depth) +
                                    " blocks deep unwound to block " + std::to_string(n),
                                {{"fork_block", n},
                                 {"depth", depth},
                                 {"old_head", res.old_head},
                                 {"events_reverted", res.events_reverted}}});
    return n;
}

Step Engine::unwind_step(uint64_t mismatch_at, const std::string& reason, RunReport& report,
                         std::string& moved) {
    try {
        unwind_reorg(mismatch_at, reason, report);
        return Step::reorg;
    } catch (const ChainMoved& e) {
        moved = e.what();
        return Step::chain_moved;
    }
}

Step Engine::check_tip(const store::ChainState& state, const Heights& h, ScanCursor& cursor,
                       RunReport& report) {
    if (!state.watermark) return Step::nothing_new;
    const uint64_t w = *state.watermark;
    if (h.head < w) {
        // Only hash evidence unwinds: a node behind us says nothing about our blocks.
        spdlog::debug("{}: node head {} is below the watermark {} (lagging node); waiting",
                      m_chain.name, h.head, w);
        return Step::nothing_new;
    }
    // The watermark block is looked at once it has the confirmations a scan would index it at;
    // without this, a tip replaced at the same height stays until a block arrives above it.
    if (h.head - w < m_chain.confirmations.value) return Step::nothing_new;
    if (m_adapter->header(w).hash == state.watermark_hash) return Step::nothing_new;
    return unwind_step(w, "block " + std::to_string(w) + " was replaced at the same height", report,
                       cursor.moved);
}

void Engine::confirm_deep_reorg(uint64_t ancestor, uint64_t depth, const Hash32& new_hash) {
    if (depth < k_deep_reorg_blocks || m_chain.rpc.value.size() < 2) return;
    // One endpoint's word is not enough to throw away this many blocks: a node on a minority
    // fork, or a broken one behind a load balancer, would make us unwind good data.
    std::vector<std::string> agree, disagree;
    for (const std::string& endpoint : m_chain.rpc.value) {
        config::ChainConfig one = m_chain;
        one.rpc.value = {endpoint};
        one.rpc_retries.value = std::min<uint64_t>(m_chain.rpc_retries.value, 1);
        const std::string shown = config::redact_rpc_url(endpoint);
        try {
            auto adapter = m_make(one);
            auto stored = m_store.block_hash(m_chain.name, ancestor);
            if (adapter->header(ancestor).hash == *stored &&
                adapter->header(ancestor + 1).hash == new_hash)
                agree.push_back(shown);
            else
                disagree.push_back(shown);
        } catch (const std::exception& e) {
            disagree.push_back(shown + " (" + e.what() + ")");
        }
    }
    if (agree.size() >= 2) {
        spdlog::info("{}: reorg {} blocks deep confirmed by {} endpoints", m_chain.name, depth,
                     agree.size());
        return;
    }
    std::string list;
    for (const auto& d : disagree) list += (list.empty() ? "" : "; ") + d;
    throw DataError("chain " + m_chain.name + ": a reorg " + std::to_string(depth) +
                    " blocks deep (to block " + std::to_string(ancestor) +
                    ") is reported by only " + std::to_string(agree.size()) +
                    " endpoint(s); the others disagree: " + list +
                    ". Nothing was unwound. If the reorg is real, run again once the endpoints "
                    "agree, or `chainidx rollback --to-block " +
                    std::to_string(ancestor) + "`");
}

}  // namespace chainidx::pipeline
