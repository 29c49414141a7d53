#include "core/pipeline/dead_letters.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace chainidx::pipeline {

Settlements Settlements::load(store::Store& store, const std::string& chain) {
    Settlements s;
    for (auto& item : store.discarded_items(chain)) s.discarded.insert(std::move(item));
    for (auto& q : store.quarantined_tokens(chain)) s.quarantined.insert(q.token);
    return s;
}

std::optional<store::DeadLetter> settle_dead_letters(store::Store& store, store::Batch& batch,
                                                     const std::string& source) {
    if (batch.dead_letters.empty()) return std::nullopt;
    const Settlements settled = Settlements::load(store, batch.chain);
    std::vector<store::DeadLetter> kept;
    std::optional<store::DeadLetter> stop;
    for (store::DeadLetter& d : batch.dead_letters) {
        d.chain = batch.chain;
        d.source = source;
        if (settled.discards(d.tx, d.index)) {
            spdlog::info("{}: block {}: skipping a discarded dead letter ({})", batch.chain,
                         d.block_number, d.error);
            continue;
        }
        if (settled.quarantines(d.token)) {
            d.status = "quarantined";
            kept.push_back(std::move(d));
            continue;
        }
        if (!stop || d.block_number < stop->block_number) stop = d;
    }
    batch.dead_letters = std::move(kept);
    if (stop) cut_batch(batch, stop->block_number);
    return stop;
}

void cut_batch(store::Batch& b, uint64_t first_dropped) {
    auto at_or_above = [&](uint64_t block) { return block >= first_dropped; };
    std::erase_if(b.blocks, [&](const BlockHeader& h) { return at_or_above(h.number); });
    // Events are in block order: cutting the tail keeps the spends' event indexes valid.
    std::erase_if(b.events, [&](const BalanceEvent& e) { return at_or_above(e.block_number); });
    std::erase_if(b.created, [&](const Utxo& u) { return at_or_above(u.block); });
    std::erase_if(b.spent, [&](const Spend& s) { return at_or_above(s.block); });
    std::erase_if(b.dead_letters,
                  [&](const store::DeadLetter& d) { return at_or_above(d.block_number); });
    if (!b.blocks.empty()) b.to = b.blocks.back().number;
}

std::string stop_message(const std::string& chain, const std::string& token_text,
                         const store::DeadLetter& d) {
    const std::string id = std::to_string(d.id);
    return "chain " + chain + " stopped at block " + std::to_string(d.block_number) + ": " +
           d.error + ". Dead letter #" + id +
           " holds the raw item; the blocks below are indexed, nothing of this block is. "
           "Inspect it with `chainidx dlq show " +
           id + "`; then either `chainidx dlq discard " + id +
           "` to skip it (balances it touches may then be wrong), or run again with "
           "`--quarantine-token " +
           token_text +
           "` to go on with that token's balances marked untrusted. `chainidx dlq retry " + id +
           "` checks whether it normalizes now.";
}

}  // namespace chainidx::pipeline
