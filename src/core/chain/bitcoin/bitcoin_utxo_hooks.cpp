// Bitcoin's use of the store's UTXO table, as the adapter's hooks: resolving inputs whose node
// did not say which output they spend (a verbosity-2 node), and answering reconcile where the
// node cannot (script ids, past blocks).
#include <algorithm>
#include <map>

#include "core/chain/bitcoin/bitcoin_adapter.hpp"
#include "core/chain/bitcoin/bitcoin_family.hpp"
#include "core/model/errors.hpp"
#include "core/store/store.hpp"

namespace chainidx::bitcoin {

namespace {
using OutKey = std::pair<Key, uint32_t>;
OutKey key_of(const OutPoint& o) {
    return {o.txid, o.vout};
}

// Fills in every unresolved input debit of the batch: from outputs the batch itself creates,
// else from the store's UTXO table. Throws DataError naming the block, tx and output when the
// output is unknown (the indexed history does not reach back to its creation).
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
    const chain::KeyCodec& keys = bitcoin::keys();
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

}  // namespace

bool BitcoinAdapter::batch_reads_store(const store::Batch& batch) const {
    return std::any_of(batch.spent.begin(), batch.spent.end(),
                       [](const Spend& s) { return s.unresolved_event.has_value(); });
}

void BitcoinAdapter::complete_batch(store::Store& store, store::Batch& batch) {
    resolve_spends(store, batch);
}

void BitcoinAdapter::complete_balances(store::Store& store, const std::string& chain,
                                       uint64_t block,
                                       const std::vector<std::pair<Key, Key>>& pairs,
                                       chain::OnChainBalances& answer) {
    // The UTXO table answers where the node cannot: its scan is at its tip only, and script
    // ids (hashes of scripts) cannot be scanned for.
    const bool node_ahead = answer.answered_at != block;
    std::vector<size_t> from_table;
    for (size_t i = 0; i < pairs.size(); ++i)
        if (node_ahead || !answer.values[i]) from_table.push_back(i);
    if (from_table.empty()) return;
    std::vector<Key> accounts;
    for (size_t i : from_table) accounts.push_back(pairs[i].second);
    auto table = store.unspent_sums_at(chain, block, accounts);
    if (!table) {
        // Spent outputs are deleted once final, so the table knows the unspent set at its
        // highest pruned block and above only.
        answer.method += "; the utxo table cannot answer at block " + std::to_string(block) +
                         " (it keeps outputs spent above block " +
                         std::to_string(store.utxo_spent_pruned_to(chain)) + " only)";
        return;
    }
    std::map<Key, Amount> sums;
    for (auto& [account, sum] : *table) sums[account] = sum;
    for (size_t i : from_table) answer.values[i] = sums[pairs[i].second];
    answer.method = node_ahead ? "utxo table (the node's " + answer.method + " answered at block " +
                                     std::to_string(answer.answered_at) + ")"
                               : answer.method + ", utxo table for " +
                                     std::to_string(from_table.size()) + " script ids";
    answer.answered_at = block;
}

}  // namespace chainidx::bitcoin
