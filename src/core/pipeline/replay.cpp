#include "core/pipeline/replay.hpp"

#include "core/chain/adapter.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/dead_letters.hpp"
#include "core/pipeline/fetcher.hpp"

namespace chainidx::pipeline {

store::ReplayResult replay_range(const config::ChainConfig& chain, store::Store& store,
                                 uint64_t from, uint64_t to, bool dry_run) {
    if (from > to)
        throw UsageError("--from " + std::to_string(from) + " is above --to " + std::to_string(to));
    chain::make_adapter(chain)->verify();
    auto session = store.begin_replay(chain.name, from, to);
    Fetcher fetcher(chain, chain::make_adapter, from, to);
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
            const Settlements settled = Settlements::load(store, chain.name);
            for (const chain::Rejected& r : range->rejected)
                if (!settled.discards(r.tx, r.index) && !settled.quarantines(r.token))
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
