#pragma once
// The PostgreSQL store: migrations, the atomic batch writer, unwinds, finality promotion, the
// follower lock and the read queries behind `status` and `balances`. libpqxx stays inside
// src/core/store/*.cpp; this header is all the rest of chainidx sees.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/types.hpp"

namespace chainidx::store {

struct MigrationState {
    int version = 0;
    std::string name;
    bool applied = false;
    bool modified = false;  // applied, but the embedded script's checksum differs
    std::string applied_at;
};

struct SchemaOwner {
    std::string schema;  // empty when the search path names no existing schema
    std::string owner;   // empty when migrate up never ran there
};

struct ChainState {
    std::optional<uint64_t> watermark;
    Hash32 watermark_hash{};
    uint64_t safe_block = 0;
    uint64_t finalized_block = 0;
};

struct BackfillJob {
    uint64_t from = 0;
    uint64_t to = 0;
};

// An item that could not be normalized, kept with its raw payload (dead_letters). Statuses:
// open (the chain stops at its block), quarantined (its token is set aside, the chain goes on),
// resolved (it normalizes now), discarded (an operator chose to skip it).
struct DeadLetter {
    int64_t id = 0;
    std::string chain;
    uint64_t block_number = 0;
    Hash32 block_hash{};
    Key tx;
    uint32_t index = 0;
    Key token;
    std::string source;  // what produced it, e.g. "eth_getLogs via https://…"
    std::string error;
    std::string payload;
    std::string status = "open";
    std::string created_at;
    std::string resolved_at;  // empty while open or quarantined
};

struct QuarantinedToken {
    Key token;
    std::string reason;
    uint64_t since_block = 0;
    std::string created_at;
};

// Everything one transaction commits: the blocks [from, to] (all of them), the events derived
// from them, and the progress that moves with them.
struct Batch {
    std::string chain;
    uint64_t from = 0;
    uint64_t to = 0;
    std::vector<BlockHeader> blocks;
    std::vector<BalanceEvent> events;
    uint64_t safe_block = 0;       // the chain's safe height when fetched (stamps finality)
    uint64_t finalized_block = 0;  // the chain's finalized height when fetched
    std::optional<BackfillJob> job;
    // The writer knows block from - 1 is stored (or wrote it itself): it must still be there
    // when the batch commits. A rollback or replay that ran meanwhile makes the commit fail
    // instead of leaving a hole. Whether or not it is set, a stored block below that does not
    // link writes nothing and is reported (IngestResult::parent_mismatch).
    bool parent_required = false;
    std::vector<Utxo> created;             // Bitcoin: outputs the blocks create …
    std::vector<Spend> spent;              // … and spend (the UTXO table follows the events)
    std::vector<DeadLetter> dead_letters;  // set aside (quarantined) with the batch
    // Where the blocks came from, for messages: "the node", "the input stdin".
    std::string source = "the batch";
};

struct IngestResult {
    uint64_t events_inserted = 0;
    uint64_t events_duplicate = 0;  // already stored: skipped with their deltas
    uint64_t balances_touched = 0;
    bool watermark_advanced = false;
    // The stored block below the batch is not its first block's parent: nothing was written
    // (the transaction rolled back). The engine unwinds a reorg; a stream input is refused.
    bool parent_mismatch = false;
    Hash32 stored_parent{};  // that stored block's hash, when parent_mismatch
};

struct UnwindRequest {
    std::string chain;
    uint64_t to_block = 0;  // keep blocks <= to_block
    std::string kind = "reorg";
    std::optional<Hash32> new_hash;  // the new branch's block at to_block + 1, when known
    std::string reason;
    bool allow_below_finalized = false;
    bool dry_run = false;  // compute the result, then roll the transaction back
};

struct UnwindResult {
    uint64_t events_reverted = 0;
    uint64_t blocks_removed = 0;
    uint64_t old_head = 0;
    uint64_t balances_changed = 0;
    uint64_t finalized_block = 0;
};

struct ReorgRecord {
    std::string kind;
    uint64_t fork_block = 0;
    uint64_t depth = 0;
    uint64_t old_head_number = 0;
    std::string old_head_hash;  // 0x-hex
    std::string new_hash;
    uint64_t events_reverted = 0;
    std::string detected_at;
};

struct Status {
    std::string chain;
    std::optional<uint64_t> watermark;
    std::string watermark_hash;
    uint64_t safe_block = 0;
    uint64_t finalized_block = 0;
    uint64_t event_count = 0;
    uint64_t block_count = 0;
    uint64_t balance_count = 0;
    uint64_t reorg_count = 0;
    std::optional<ReorgRecord> last_reorg;
    std::vector<BackfillJob> unfinished_backfills;
};

// How the stored blocks of a chain hang together (invariant 8 of DESIGN.md).
struct BlockRun {
    uint64_t from = 0, to = 0;
};
struct ContinuityReport {
    std::vector<BlockRun> runs;         // maximal runs of consecutive stored blocks
    std::vector<std::string> problems;  // empty when every run is explained and links
};

struct BalanceQuery {
    std::string chain;
    std::optional<Key> token;
    std::optional<Key> account;
    Finality at = Finality::pending;
    bool include_zero = false;
};

struct BalanceRow {
    Key token, account;
    std::string amount;  // decimal
};

struct BalancesResult {
    std::optional<uint64_t> block;  // the block the balances hold at
    std::vector<BalanceRow> rows;
};

struct SumMismatch {
    Key token, account;
    std::string balance, sum_of_events;
};

struct PairBalance {
    Key token, account;
    Amount amount;
};

struct ReconcileDiff {
    Key token, account;
    Amount indexed;
    std::optional<Amount> on_chain;
    std::string classification;
};

struct EventChange {
    Key tx;
    uint32_t index = 0;
    uint8_t leg = 0;
    uint64_t block = 0;
    Key token, account;
    std::string delta;
};

struct BalanceFix {
    Key token, account;
    std::string before, after;
};

struct ReplayResult {
    std::vector<EventChange> added, removed;
    std::vector<BalanceFix> balances;  // pairs whose stored balance changes
    bool applied = false;
};

// One replay: every re-derived range is staged in one transaction, then compared with what is
// stored and applied (or rolled back for a dry run) at once.
class ReplaySession {
  public:
    ~ReplaySession();
    void stage(const std::vector<BlockHeader>& blocks, const std::vector<BalanceEvent>& events);
    ReplayResult finish(bool apply);
    struct Impl;
    explicit ReplaySession(std::unique_ptr<Impl> impl);

  private:
    std::unique_ptr<Impl> m_impl;
};

class Store {
  public:
    // Connects; errors name the database without its password.
    explicit Store(const std::string& url, const std::string& application_name = "chainidx");
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Migrations (serialised between processes by an advisory lock).
    std::vector<MigrationState> migration_status();
    std::vector<MigrationState> migrate_up();
    std::vector<MigrationState> migrate_down(int count);
    // Throws UsageError unless every embedded migration is applied, unmodified.
    void require_current_schema();
    // Where chainidx's tables are, for `chainidx grants`: `schema`, or (empty) the first
    // existing schema of the search path; and the role owning schema_migrations there.
    SchemaOwner schema_owner(const std::string& schema);

    // Records the chain, or checks that the stored one has the same family and chain id.
    void register_chain(const std::string& chain, const std::string& family, uint64_t chain_id);
    ChainState chain_state(const std::string& chain);
    // The family the chain was registered with; nullopt when it was never indexed.
    std::optional<std::string> chain_family(const std::string& chain);
    // Every chain ever registered (indexed or ingested into), by name.
    std::vector<std::string> chain_names();
    std::optional<Hash32> block_hash(const std::string& chain, uint64_t number);

    // One transaction: blocks, events (new ones only), their balance deltas aggregated per
    // (token, account), the watermark (never backwards, only when contiguous) and backfill
    // progress. The block below is checked in the same transaction: when it is stored with
    // another hash than the first block's parent, nothing is written and the result says
    // parent_mismatch. Throws DataError when a stored block has a different hash or an event id
    // is stored with another content; Error when the block below is gone although the batch
    // requires it (another process unwound it).
    IngestResult ingest(const Batch& batch);
    // Bitcoin: the stored outputs `at` names (nullopt where unknown), spent or not.
    std::vector<std::optional<Utxo>> find_utxos(const std::string& chain,
                                                const std::vector<OutPoint>& at);
    // Bitcoin: per account, the sum of outputs unspent at `block` (the UTXO table's view), or
    // nullopt below the highest block whose spent outputs were deleted: the table cannot say
    // there which outputs were still unspent.
    std::optional<std::vector<std::pair<Key, Amount>>> unspent_sums_at(
        const std::string& chain, uint64_t block, const std::vector<Key>& accounts);
    // Bitcoin: the highest block whose spent outputs were deleted from the UTXO table (-1: none).
    int64_t utxo_spent_pruned_to(const std::string& chain);
    // One transaction: removes events above to_block with their deltas reversed, their blocks,
    // moves the watermark back and records why. Refuses to cross the finalized height.
    UnwindResult unwind(const UnwindRequest& request);
    // Raises the stored safe/finalized heights and promotes blocks and events up to them.
    void promote_finality(const std::string& chain, uint64_t safe_block, uint64_t finalized_block);

    // Returns where a backfill of [from, to] should continue (from, or past what was done).
    uint64_t start_backfill(const std::string& chain, uint64_t from, uint64_t to);
    // Marks the job done; throws Error when its blocks were unwound meanwhile (a rollback ran).
    void finish_backfill(const std::string& chain, uint64_t from, uint64_t to);

    // Session advisory lock for the one follower of a chain; false (and who holds it) if taken.
    bool try_lock_follower(const std::string& chain, std::string& holder);

    // Dead letters (store_dead_letters.cpp). Recording one twice (same chain, tx, index) keeps
    // one row: its error and payload are refreshed; a discarded or resolved one keeps that status.
    // Returns the row's id and status.
    std::pair<int64_t, std::string> record_dead_letter(const DeadLetter& d);
    std::vector<DeadLetter> dead_letters(const std::string& chain, const std::string& status);
    std::optional<DeadLetter> dead_letter(int64_t id);
    // Sets the status (resolved_at with it); false when there is no such id.
    bool set_dead_letter_status(int64_t id, const std::string& status);
    uint64_t open_dead_letters(const std::string& chain);
    // Items an operator discarded: (tx, index) pairs the chain skips.
    std::vector<std::pair<Key, uint32_t>> discarded_items(const std::string& chain);
    // Quarantine: the token's bad items are set aside and its balances marked untrusted; its open
    // dead letters become quarantined. Idempotent.
    void quarantine_token(const std::string& chain, const Key& token, const std::string& reason,
                          uint64_t since_block);
    std::vector<QuarantinedToken> quarantined_tokens(const std::string& chain);

    Status status(const std::string& chain);
    BalancesResult balances(const BalanceQuery& query);
    // Starts a replay of [from, to]; refuses a range above the watermark.
    std::unique_ptr<ReplaySession> begin_replay(const std::string& chain, uint64_t from,
                                                uint64_t to);
    // Indexed balances as of `block` (<= the watermark): the live balance less later events.
    // Empty filters mean all; `sample` > 0 picks that many pairs (spread by hash, repeatable).
    std::vector<PairBalance> balances_at(const std::string& chain, uint64_t block,
                                         const std::vector<Key>& tokens,
                                         const std::vector<Key>& accounts, size_t sample);
    // Stores one reconcile run and its drifts; returns the run id.
    int64_t record_reconcile(const std::string& chain, uint64_t block, uint64_t checked,
                             uint64_t matching, uint64_t sum_mismatches,
                             const std::vector<ReconcileDiff>& diffs);
    // Pairs whose balance differs from the sum of their events (invariant 4); empty when sound.
    std::vector<SumMismatch> verify_balances(const std::string& chain);
    // Stored blocks form runs that link by parent hash, that end at the watermark or lie in what
    // recorded backfills say they did, with no hole inside a backfill's done range, and every
    // event belongs to a stored block (invariant 8).
    ContinuityReport verify_continuity(const std::string& chain);

    struct Impl;

  private:
    IngestResult ingest_once(const Batch& batch, bool allow_fast_path);
    ChainState chain_state_once(const std::string& chain);
    std::optional<Hash32> block_hash_once(const std::string& chain, uint64_t number);
    uint64_t start_backfill_once(const std::string& chain, uint64_t from, uint64_t to);
    void finish_backfill_once(const std::string& chain, uint64_t from, uint64_t to);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace chainidx::store
