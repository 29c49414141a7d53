#include "core/pipeline/replay.hpp"

#include <set>

#include "core/chain/adapter.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/fetcher.hpp"

namespace chainidx::pipeline {

store::ReplayResult replay_range(const config::ChainConfig& chain, store::Store& store,
                                 uint64_t from, uint64_t to, bool dry_run) {
    if (from > to)
        throw UsageError("--from " + std::to_string(from) + " is above --to " + std::to_string(to));
    chain::make_adapter(chain)->verify();
    auto session = store.begin_replay(chain.name, from, to);
    Fetcher fetcher(chain, from, to);
    BlockHeader last;
    while (auto range = fetcher.next()) {
        try {
            check_links(*range, chain.name, range->from > from ? &last : nullptr);
        } catch (const ChainMoved& e) {
            throw DataError(std::string(e.what()) +
                            " (the chain moved during the replay; nothing "
                            "was written, run it again)");
        }
        last = range->headers.back();
        for (const Spend& s : range->spent)
            if (s.unresolved_event)
                throw UsageError("chain " + chain.name + ": block " + std::to_string(s.block) +
                                 " spends an output the node did not describe (no getblock "
                                 "verbosity 3); replay needs a node that serves prevouts");
        // Items that cannot be normalized: fine when discarded or of a quarantined token.
        if (!range->rejected.empty()) {
            std::set<std::pair<Key, uint32_t>> discarded;
            for (auto& item : store.discarded_items(chain.name)) discarded.insert(item);
            std::set<Key> quarantined;
            for (const auto& q : store.quarantined_tokens(chain.name)) quarantined.insert(q.token);
            for (const chain::Rejected& r : range->rejected)
                if (!discarded.count({r.tx, r.index}) && !quarantined.count(r.token))
                    throw DataError("chain " + chain.name + ": " + r.error +
                                    "; replay stops here (nothing was written). Settle it "
                                    "first: chainidx dlq list --chain " +
                                    chain.name);
        }
        session->stage(range->headers, range->events);
    }
    return session->finish(!dry_run);
}

}  // namespace chainidx::pipeline
