#include "core/pipeline/replay.hpp"

#include "core/chain/evm/evm_client.hpp"
#include "core/chain/evm/normalizer.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/fetcher.hpp"

namespace chainidx::pipeline {

store::ReplayResult replay_range(const config::ChainConfig& chain, store::Store& store,
                                 uint64_t from, uint64_t to, bool dry_run) {
    if (from > to)
        throw UsageError("--from " + std::to_string(from) + " is above --to " + std::to_string(to));
    evm::EvmClient client(chain);
    client.verify_chain_id();
    auto session = store.begin_replay(chain.name, from, to);
    Fetcher fetcher(chain, from, to);
    while (auto range = fetcher.next()) {
        for (size_t i = 1; i < range->headers.size(); ++i)
            if (range->headers[i].parent_hash != range->headers[i - 1].hash)
                throw DataError("chain " + chain.name + ": block " +
                                std::to_string(range->headers[i].number) +
                                " does not link to the block before it; run again");
        std::vector<BalanceEvent> events;
        evm::normalize_logs(range->logs, events);
        session->stage(range->headers, events);
    }
    return session->finish(!dry_run);
}

}  // namespace chainidx::pipeline
