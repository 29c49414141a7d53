#include "core/pipeline/duplicate_ids.hpp"

#include "core/pipeline/ndjson.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <unordered_map>

namespace chainidx::pipeline {

namespace {

bool same_content(const BalanceEvent& a, const BalanceEvent& b) {
    return a.token == b.token && a.account == b.account && a.delta == b.delta;
}

}  // namespace

size_t set_aside_duplicate_ids(store::Batch& batch, const chain::KeyFormat& keys) {
    // An input whose debit is filled in later from the UTXO table has no content to compare yet
    // (the store compares it once written).
    std::vector<bool> unresolved(batch.events.size(), false);
    for (const Spend& s : batch.spent)
        if (s.unresolved_event) unresolved[*s.unresolved_event] = true;

    std::unordered_map<std::string, size_t> first;  // id -> index of its first event
    first.reserve(batch.events.size());
    std::vector<bool> drop(batch.events.size(), false);
    std::set<std::pair<uint64_t, std::string>> lettered;  // (block, tx+index) already set aside
    size_t copies = 0;
    for (size_t i = 0; i < batch.events.size(); ++i) {
        if (unresolved[i]) continue;
        const BalanceEvent& e = batch.events[i];
        auto [it, fresh] = first.try_emplace(event_id_bytes(e), i);
        if (fresh) continue;
        const BalanceEvent& earlier = batch.events[it->second];
        drop[i] = true;
        if (same_content(earlier, e)) {
            ++copies;
            continue;
        }
        std::string item(reinterpret_cast<const char*>(e.tx.data()), e.tx.size());
        item += std::to_string(e.event_index);
        if (!lettered.insert({e.block_number, item}).second) continue;
        store::DeadLetter d;
        d.chain = batch.chain;
        d.block_number = e.block_number;
        d.block_hash = e.block_hash;
        d.tx = e.tx;
        d.index = e.event_index;
        d.token = e.token;
        d.error = "block " + std::to_string(e.block_number) + ": two different items share the " +
                  "event id " + keys.event_id(batch.chain, e) + " (the other is in block " +
                  std::to_string(earlier.block_number) + ", account " +
                  keys.account(earlier.account) + ", delta " + earlier.delta.to_decimal() +
                  "; this one account " + keys.account(e.account) + ", delta " +
                  e.delta.to_decimal() + ")";
        // Both items as `--emit events` writes them.
        d.payload =
            nlohmann::ordered_json{
                {"this", nlohmann::ordered_json::parse(event_line(batch.chain, keys, e))},
                {"other", nlohmann::ordered_json::parse(event_line(batch.chain, keys, earlier))}}
                .dump();
        batch.dead_letters.push_back(std::move(d));
    }
    if (std::find(drop.begin(), drop.end(), true) == drop.end()) return 0;
    // Keep the spends' event indexes pointing at the same events.
    std::vector<size_t> new_index(batch.events.size());
    size_t kept = 0;
    for (size_t i = 0; i < batch.events.size(); ++i) {
        new_index[i] = kept;
        if (drop[i]) continue;
        if (kept != i) batch.events[kept] = std::move(batch.events[i]);
        ++kept;
    }
    batch.events.resize(kept);
    for (Spend& s : batch.spent)
        if (s.unresolved_event) s.unresolved_event = new_index[*s.unresolved_event];
    return copies;
}

}  // namespace chainidx::pipeline
