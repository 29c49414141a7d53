#pragma once
// What happens to items that cannot be normalized (dead letters) in a batch: those an operator
// discarded are skipped; those of a quarantined token are stored with the batch as
// "quarantined" and the chain goes on (the token's balances are marked untrusted); any other
// stops the chain at its block — a balance indexer must not skip data — after committing the
// blocks below it.
#include <optional>
#include <set>
#include <string>

#include "core/store/store.hpp"

namespace chainidx::pipeline {

// What the store says may pass: items an operator discarded, and tokens under quarantine.
struct Settlements {
    std::set<std::pair<Key, uint32_t>> discarded;  // (tx, index)
    std::set<Key> quarantined;
    static Settlements load(store::Store& store, const std::string& chain);
    bool discards(const Key& tx, uint32_t index) const { return discarded.count({tx, index}); }
    bool quarantines(const Key& token) const { return quarantined.count(token); }
};

// Sorts batch.dead_letters (status "open" as appended). Returns the first one that stops the
// chain, with the batch already cut below its block; nullopt when the chain goes on.
std::optional<store::DeadLetter> settle_dead_letters(store::Store& store, store::Batch& batch,
                                                     const std::string& source);

// Drops every block from `first_dropped` on, with its events, outputs, spends and dead letters.
void cut_batch(store::Batch& batch, uint64_t first_dropped);

// The error a person sees when the chain stops at a dead letter: what, where, what to do.
std::string stop_message(const std::string& chain, const std::string& token_text,
                         const store::DeadLetter& d);

}  // namespace chainidx::pipeline
