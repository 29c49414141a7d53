#include "core/pipeline/spends.hpp"

#include <map>

#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"

namespace chainidx::pipeline {

void append(store::Batch& batch, chain::Fetched& span) {
    const size_t offset = batch.events.size();
    if (batch.blocks.empty()) batch.from = span.from;
    batch.blocks.insert(batch.blocks.end(), span.headers.begin(), span.headers.end());
    batch.events.insert(batch.events.end(), std::make_move_iterator(span.events.begin()),
                        std::make_move_iterator(span.events.end()));
    batch.created.insert(batch.created.end(), span.created.begin(), span.created.end());
    for (Spend& s : span.spent) {
        if (s.unresolved_event) *s.unresolved_event += offset;
        batch.spent.push_back(std::move(s));
    }
    for (chain::Rejected& r : span.rejected) {
        store::DeadLetter d;
        d.chain = batch.chain;
        d.block_number = r.block_number;
        d.block_hash = r.block_hash;
        d.tx = r.tx;
        d.index = r.index;
        d.token = r.token;
        d.error = std::move(r.error);
        d.payload = std::move(r.payload);
        batch.dead_letters.push_back(std::move(d));
    }
    batch.to = span.to;
}

namespace {
using OutKey = std::pair<Key, uint32_t>;
OutKey key_of(const OutPoint& o) {
    return {o.txid, o.vout};
}
}  // namespace

void resolve_spends(store::Store& store, store::Batch& batch) {
    std::vector<size_t> todo;  // indexes into batch.spent
    for (size_t i = 0; i < batch.spent.size(); ++i)
        if (batch.spent[i].unresolved_event) todo.push_back(i);
    if (todo.empty()) return;
    std::map<OutKey, const Utxo*> created;
    for (const Utxo& u : batch.created) created.emplace(key_of(u.at), &u);
    std::vector<OutPoint> ask;
    std::vector<size_t> asked_for;
    auto fill = [&](const Spend& s, const Utxo& u) {
        BalanceEvent& e = batch.events[*s.unresolved_event];
        e.account = u.account;
        e.delta = -Amount::from_u64(static_cast<uint64_t>(u.value));
    };
    for (size_t i : todo) {
        auto it = created.find(key_of(batch.spent[i].at));
        if (it != created.end() && it->second->block <= batch.spent[i].block) {
            fill(batch.spent[i], *it->second);
        } else {
            ask.push_back(batch.spent[i].at);
            asked_for.push_back(i);
        }
    }
    if (ask.empty()) return;
    std::vector<std::optional<Utxo>> found = store.find_utxos(batch.chain, ask);
    const chain::KeyFormat keys(chain::Family::bitcoin);
    for (size_t k = 0; k < ask.size(); ++k) {
        const Spend& s = batch.spent[asked_for[k]];
        if (found[k]) {
            fill(s, *found[k]);
            continue;
        }
        const std::string what = "chain " + batch.chain + ": block " + std::to_string(s.block) +
                                 " spends output " + keys.tx(s.at.txid) + ":" +
                                 std::to_string(s.at.vout) + ", which is not in the UTXO table: ";
        const int64_t pruned = store.utxo_spent_pruned_to(batch.chain);
        if (static_cast<int64_t>(s.block) <= pruned)
            throw DataError(what + "outputs spent at or below block " + std::to_string(pruned) +
                            " were deleted once final, and a rollback below that block cannot "
                            "bring them back. Index these blocks again from a node that serves "
                            "getblock with verbosity 3 (prevouts).");
        throw DataError(what +
                        "the indexed history does not reach back to where it was created. "
                        "Backfill from block 0, or use a node that serves getblock with "
                        "verbosity 3 (prevouts).");
    }
}

}  // namespace chainidx::pipeline
