#pragma once
// The chain adapter: everything the engine needs from one chain family's node, and nothing more.
// The pipeline, store, reorg handling and every command work through this interface only; each
// family (chain/evm, chain/bitcoin, chain/solana) implements it over its node's RPC and turns
// what the node returns into headers and balance events (its normalizer is a pure function).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.hpp"
#include "core/model/ndjson_fields.hpp"
#include "core/model/types.hpp"

namespace chainidx::store {
class Store;
struct Batch;
}  // namespace chainidx::store

namespace chainidx::chain {

// What normalizing a span produced, for reports and metrics.
struct NormalizeStats {
    uint64_t transfers = 0;    // balance-bearing items turned into events (logs, inputs/outputs…)
    uint64_t erc721 = 0;       // EVM: 4-topic Transfer logs (ERC-721), not balances
    uint64_t malformed = 0;    // items that look balance-bearing but cannot be read
    uint64_t other_topic = 0;  // items with no balance (other logs, OP_RETURN, zero outputs)
    NormalizeStats& operator+=(const NormalizeStats& o);
};

// An item that looks balance-bearing but cannot be normalized (a dead letter): kept with its
// raw payload so a person can see it; by default the chain stops at its block.
struct Rejected {
    uint64_t block_number = 0;
    Hash32 block_hash{};
    Key tx;
    uint32_t index = 0;   // the item's event index (log index, output position…)
    Key token;            // the token it concerns (empty: native coin or unknown)
    std::string error;    // what is wrong with it
    std::string payload;  // the item as the node sent it (JSON)
};

// One span of consecutive blocks as fetched and normalized.
struct Fetched {
    uint64_t from = 0;
    uint64_t to = 0;
    std::vector<BlockHeader> headers;  // exactly to - from + 1, in order
    std::vector<BalanceEvent> events;  // in block order
    NormalizeStats stats;
    std::vector<std::string> raw;    // one NDJSON line per block, only when asked for
    std::vector<Utxo> created;       // UTXO families: outputs created (store's utxos table)
    std::vector<Spend> spent;        // UTXO families: outputs spent
    std::vector<Rejected> rejected;  // dead letters, in block order
    // The largest node answer this was parsed from: while a span is being fetched, that answer
    // and its parse buffers are most of what it holds (pipeline/memory_budget.hpp).
    size_t answer_bytes = 0;
};

struct Heights {
    uint64_t head = 0;       // the newest block the node serves at the configured commitment
    uint64_t safe = 0;       // unlikely to be reorganised
    uint64_t finalized = 0;  // never reorganised
};

// Balances as the chain sees them, for reconcile.
struct OnChainBalances {
    std::vector<std::optional<Amount>> values;  // per pair; nullopt when the node cannot say
    uint64_t answered_at = 0;                   // the block the node answered at
    std::string method;                         // what was asked, for the report
};

class ChainAdapter {
  public:
    virtual ~ChainAdapter() = default;

    // Throws UsageError when the node serves another chain than the configured one.
    virtual void verify() = 0;
    virtual Heights heights() = 0;
    virtual uint64_t head() = 0;
    virtual BlockHeader header(uint64_t number) = 0;
    // Fetches and normalizes the span starting at `from` and ending at most at `to`; the adapter
    // picks its length (and learns what the node accepts). `keep_raw` fills Fetched::raw.
    virtual Fetched fetch(uint64_t from, uint64_t to, bool keep_raw) = 0;
    // How many blocks the adapter would fetch in one span now (what it has learned the node
    // answers well): the concurrent fetcher cuts the range ahead into spans of this size.
    virtual uint64_t span_hint() const = 0;
    // Lets go of the large buffers the last fetch left behind (answers, parsed documents), so
    // that idle fetch workers hold no memory; the next fetch allocates again.
    virtual void trim() {}
    // The chain's balance of each (token, account) at `block` (or at the node's head when the
    // node cannot answer for a past block: answered_at says which).
    virtual OnChainBalances balances(uint64_t block,
                                     const std::vector<std::pair<Key, Key>>& pairs) = 0;
    // Why the node gave no balance for a pair, for reconcile's report: "<class>: <reason>".
    // `fails_for_every_account` when it gave none for any account of that token.
    virtual std::string why_no_balance(bool /*fails_for_every_account*/) const {
        return "no_answer: the node could not say this account's balance";
    }
    // Normalizes one raw NDJSON line (as written with keep_raw) without a node: `normalize`.
    virtual Fetched normalize_raw(const std::string& line, const ndjson::Where& where) = 0;

    // Hooks for what a family keeps in the store beyond events (Bitcoin's UTXO table); the
    // defaults do nothing.
    //
    // Whether complete_batch will read the store for this batch. The engine then checks the
    // batch's link to the stored chain first: on a branch being reorganised away, what the
    // batch asks for may be missing, and that is a reorg, not an error.
    virtual bool batch_reads_store(const store::Batch&) const { return false; }
    // Before the batch is written: fills in what its spans could not know alone from what is
    // stored (Bitcoin: the outputs that inputs without a prevout spend). Throws DataError.
    virtual void complete_batch(store::Store&, store::Batch&) {}
    // After balances(): answers, from what chainidx stored, the pairs the node could not (or
    // could only at another block); updates answer.method and answer.answered_at to say so.
    virtual void complete_balances(store::Store&, const std::string& /*chain*/, uint64_t /*block*/,
                                   const std::vector<std::pair<Key, Key>>& /*pairs*/,
                                   OnChainBalances& /*answer*/) {}
};

// The adapter for the chain's family (its row in chain/families.cpp).
std::unique_ptr<ChainAdapter> make_adapter(const config::ChainConfig& chain);

// Makes adapters: the engine and the fetcher take one, so tests can hand them a fake chain.
using AdapterFactory = std::function<std::unique_ptr<ChainAdapter>(const config::ChainConfig&)>;

}  // namespace chainidx::chain
