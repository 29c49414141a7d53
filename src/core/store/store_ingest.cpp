// The write path: one transaction per batch (invariants 1-4 of DESIGN.md), and its inverse.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "core/model/errors.hpp"
#include "core/store/store_impl.hpp"

namespace chainidx::store {

namespace {

// '\x<hex>', PostgreSQL's bytea hex input; stream_to escapes the backslash for COPY.
template <class T>
std::string bytea(const T& a) {
    return bytea_param(a);
}

int16_t stamp(uint64_t number, uint64_t safe, uint64_t finalized) {
    if (number <= finalized) return static_cast<int16_t>(Finality::finalized);
    if (number <= safe) return static_cast<int16_t>(Finality::safe);
    return static_cast<int16_t>(Finality::pending);
}

void ensure_staging(Store::Impl& impl) {
    if (impl.staging_ready) return;
    pqxx::nontransaction tx(*impl.conn);
    // Session-local, emptied at every commit: COPY lands here, then one INSERT … SELECT moves the
    // rows on, so a batch is never applied in part.
    tx.exec("CREATE TEMP TABLE IF NOT EXISTS stage_blocks (LIKE blocks) ON COMMIT DELETE ROWS");
    tx.exec(
        "CREATE TEMP TABLE IF NOT EXISTS stage_events (LIKE balance_events) "
        "ON COMMIT DELETE ROWS");
    tx.exec("CREATE TEMP TABLE IF NOT EXISTS stage_balances (LIKE balances) ON COMMIT DELETE ROWS");
    tx.exec("CREATE TEMP TABLE IF NOT EXISTS stage_utxos (LIKE utxos) ON COMMIT DELETE ROWS");
    impl.staging_ready = true;
}

struct Stamps {
    uint64_t safe, finalized;
    int16_t of(uint64_t number) const { return stamp(number, safe, finalized); }
};

void copy_blocks(pqxx::work& tx, const Batch& b, const Stamps& st) {
    pqxx::stream_to out(tx, "stage_blocks");
    for (const BlockHeader& h : b.blocks)
        out << std::make_tuple(b.chain, static_cast<int64_t>(h.number), bytea(h.hash),
                               bytea(h.parent_hash), static_cast<int64_t>(h.timestamp),
                               st.of(h.number), h.skipped);
    out.complete();
}

void copy_events(pqxx::work& tx, const Batch& b, const Stamps& st, const char* table) {
    pqxx::stream_to out(tx, table);
    for (const BalanceEvent& e : b.events)
        out << std::make_tuple(b.chain, bytea(e.tx), static_cast<int64_t>(e.event_index),
                               static_cast<int>(e.leg), static_cast<int64_t>(e.block_number),
                               bytea(e.block_hash), bytea(e.token), bytea(e.account),
                               e.delta.to_decimal(), st.of(e.block_number));
    out.complete();
}

void write_blocks(pqxx::work& tx, const Batch& b, const Stamps& st) {
    copy_blocks(tx, b, st);
    // A block already stored keeps its row; the same number with another hash means the chain
    // changed below what this batch checked: never overwrite it silently.
    auto moved = tx.exec(
        "INSERT INTO blocks SELECT * FROM stage_blocks "
        "ON CONFLICT (chain, number) DO UPDATE SET finality = GREATEST(blocks.finality, "
        "EXCLUDED.finality) WHERE blocks.hash = EXCLUDED.hash");
    if (moved.affected_rows() == b.blocks.size()) return;
    auto c = tx.exec(
        "SELECT s.number, '0x' || encode(b.hash, 'hex'), '0x' || encode(s.hash, 'hex') "
        "FROM stage_blocks s JOIN blocks b USING (chain, number) WHERE b.hash <> s.hash "
        "ORDER BY s.number LIMIT 1");
    std::string detail = c.empty() ? ""
                                   : " (block " + c[0][0].as<std::string>() + " is stored as " +
                                         c[0][1].as<std::string>() + ", " + b.source + " has " +
                                         c[0][2].as<std::string>() + ")";
    throw DataError("chain " + b.chain + ": blocks " + std::to_string(b.from) + ".." +
                    std::to_string(b.to) + " differ from the ones stored" + detail +
                    "; run `chainidx scan` to unwind a reorg, or `chainidx rollback`");
}

// Fast path, for a block range with no stored events (every backfill and scan batch the first
// time): COPY straight into balance_events, sum the deltas per (token, account) here, one upsert
// per pair. A duplicate event id still cannot slip through: the primary key rejects it, and the
// caller retries the batch on the checking path.
void write_new_events(pqxx::work& tx, const Batch& b, const Stamps& st, IngestResult& result) {
    copy_events(tx, b, st, "balance_events");
    struct Sum {
        Key token, account;
        Amount amount;
        uint64_t block;
    };
    std::unordered_map<std::string, Sum> sums;
    sums.reserve(b.events.size() / 4 + 16);
    std::string key;
    for (const BalanceEvent& e : b.events) {
        // Length-prefixed, so (token, account) pairs of any sizes never collide.
        key.assign(1, static_cast<char>(e.token.size()));
        key.append(reinterpret_cast<const char*>(e.token.data()), e.token.size());
        key.append(reinterpret_cast<const char*>(e.account.data()), e.account.size());
        auto [it, fresh] = sums.try_emplace(key, Sum{e.token, e.account, e.delta, e.block_number});
        if (!fresh) {
            try {
                it->second.amount = it->second.amount + e.delta;
            } catch (const DataError& overflow) {
                throw DataError("chain " + b.chain + ": block " + std::to_string(e.block_number) +
                                ", tx " + hex::encode(e.tx.data(), e.tx.size()) + " event " +
                                std::to_string(e.event_index) + ": " + overflow.what());
            }
            it->second.block = std::max(it->second.block, e.block_number);
        }
    }
    {
        pqxx::stream_to out(tx, "stage_balances");
        for (const auto& [_, s] : sums)
            out << std::make_tuple(b.chain, bytea(s.token), bytea(s.account), s.amount.to_decimal(),
                                   static_cast<int64_t>(s.block));
        out.complete();
    }
    auto up = tx.exec(
        "INSERT INTO balances SELECT * FROM stage_balances "
        "ON CONFLICT (chain, token, account) DO UPDATE SET"
        " amount = balances.amount + EXCLUDED.amount,"
        " updated_block = GREATEST(balances.updated_block, EXCLUDED.updated_block)");
    result.events_inserted = b.events.size();
    result.balances_touched = up.affected_rows();
}

// An event id names one balance change: the same id with another token, account or amount is two
// different items under one name (a broken node or stream), never a duplicate to skip. The same
// content in another block is a duplicate (Bitcoin's BIP30 coinbases repeat a txid).
void refuse_conflicting_ids(pqxx::work& tx, const Batch& b) {
    auto c = tx.exec(
        "SELECT '0x' || encode(s.tx_hash, 'hex'), s.event_index, s.leg, s.block_number,"
        " s.delta::text, e.block_number, e.delta::text,"
        " s.token = e.token, s.account = e.account "
        "FROM stage_events s JOIN balance_events e USING (chain, tx_hash, event_index, leg) "
        "WHERE (s.token, s.account, s.delta) IS DISTINCT FROM (e.token, e.account, e.delta) "
        "LIMIT 1");
    if (c.empty()) return;
    const auto row = c[0];
    std::string differs = !row[7].as<bool>() ? "token" : !row[8].as<bool>() ? "account" : "amount";
    throw DataError("chain " + b.chain + ": event id (tx " + row[0].as<std::string>() + ", index " +
                    row[1].as<std::string>() + ", leg " + row[2].as<std::string>() + ") of block " +
                    row[3].as<std::string>() + " (delta " + row[4].as<std::string>() +
                    ") is already stored for block " + row[5].as<std::string>() + " with another " +
                    differs + " (delta " + row[6].as<std::string>() +
                    "): two different items under one id; nothing of "
                    "blocks " +
                    std::to_string(b.from) + ".." + std::to_string(b.to) + " was written");
}

// Checking path, for a range that was (partly) indexed before: only events not yet stored are
// inserted, and only their deltas reach the balances.
void write_events_checked(pqxx::work& tx, const Batch& b, const Stamps& st, IngestResult& result) {
    copy_events(tx, b, st, "stage_events");
    auto counts = tx.exec1(
        "WITH ins AS ("
        "  INSERT INTO balance_events SELECT * FROM stage_events"
        "  ON CONFLICT DO NOTHING RETURNING chain, token, account, delta, block_number),"
        " agg AS (SELECT chain, token, account, sum(delta) AS d, max(block_number) AS blk"
        "  FROM ins GROUP BY chain, token, account),"
        " up AS (INSERT INTO balances (chain, token, account, amount, updated_block)"
        "  SELECT chain, token, account, d, blk FROM agg"
        "  ON CONFLICT (chain, token, account) DO UPDATE SET"
        "   amount = balances.amount + EXCLUDED.amount,"
        "   updated_block = GREATEST(balances.updated_block, EXCLUDED.updated_block)"
        "  RETURNING 1)"
        "SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM up)");
    result.events_inserted = counts[0].as<uint64_t>();
    result.balances_touched = counts[1].as<uint64_t>();
    // After the insert, so two items of this batch under one id are compared with each other too.
    refuse_conflicting_ids(tx, b);
}

// The first block must link to the stored block below it. Checked under the chain's lock, so no
// rollback or replay can come between the check and the commit. Returns the stored block's hash
// when it is not the first block's parent.
std::optional<Hash32> check_parent(pqxx::work& tx, const Batch& b) {
    if (b.from == 0) return std::nullopt;
    const Hash32& parent = b.blocks.front().parent_hash;
    auto r = tx.exec_params("SELECT hash = $3, hash FROM blocks WHERE chain = $1 AND number = $2",
                            b.chain, static_cast<int64_t>(b.from - 1), bytea_param(parent));
    if (r.empty()) {
        if (!b.parent_required) return std::nullopt;
        throw Error("chain " + b.chain + ": block " + std::to_string(b.from - 1) +
                    ", which blocks " + std::to_string(b.from) + ".." + std::to_string(b.to) +
                    " build on, was removed while this run was writing (a rollback or replay of "
                    "the chain ran meanwhile); nothing of them was written. Run the command "
                    "again: it continues from what is stored");
    }
    if (r[0][0].as<bool>()) return std::nullopt;
    const std::string raw = tx.unesc_raw(r[0][1].c_str());
    Hash32 stored{};
    std::copy_n(raw.begin(), std::min(raw.size(), stored.size()), stored.begin());
    return stored;
}

// Raises the stored safe/finalized heights (never past the watermark, never backwards: a lagging
// node is not a reorg) and stamps the blocks and events in between, in the caller's transaction.
// Rows of blocks [skip_from, skip_to] were stamped by the caller and are not visited again.
void promote_in(pqxx::work& tx, const std::string& chain, uint64_t safe_block,
                uint64_t finalized_block, int64_t skip_from = 1, int64_t skip_to = 0) {
    auto r = tx.exec_params(
        "SELECT safe_block, finalized_block, block_number FROM watermarks WHERE chain = $1 "
        "FOR UPDATE",
        chain);
    if (r.empty()) return;
    const auto old_safe = r[0][0].as<int64_t>();
    const auto old_final = r[0][1].as<int64_t>();
    const auto wm = r[0][2].as<int64_t>();
    const int64_t new_final = std::max(old_final, std::min<int64_t>(finalized_block, wm));
    const int64_t new_safe =
        std::max(std::max(old_safe, new_final), std::min<int64_t>(safe_block, wm));
    if (new_final == old_final && new_safe == old_safe) return;
    // Stamps (lo, hi] less the skipped blocks, as at most two index ranges.
    auto stamp_range = [&](int stage, int64_t lo, int64_t hi) {
        std::vector<std::pair<int64_t, int64_t>> parts;
        if (skip_from > skip_to) {
            parts.emplace_back(lo, hi);
        } else {
            parts.emplace_back(lo, std::min(hi, skip_from - 1));
            parts.emplace_back(std::max(lo, skip_to), hi);
        }
        for (auto [a, b] : parts) {
            if (a >= b) continue;
            tx.exec_params(
                "UPDATE blocks SET finality = $4 WHERE chain = $1 AND number > $2 "
                "AND number <= $3 AND finality < $4",
                chain, a, b, stage);
            tx.exec_params(
                "UPDATE balance_events SET finality = $4 WHERE chain = $1 AND "
                "block_number > $2 AND block_number <= $3 AND finality < $4",
                chain, a, b, stage);
        }
    };
    stamp_range(2, old_final, new_final);
    stamp_range(1, old_safe, new_safe);
    if (new_final > old_final) prune_spent_utxos(tx, chain, new_final);
    tx.exec_params("UPDATE watermarks SET safe_block = $2, finalized_block = $3 WHERE chain = $1",
                   chain, new_safe, new_final);
}

}  // namespace

IngestResult Store::ingest(const Batch& b) {
    if (b.blocks.empty() || b.blocks.front().number != b.from || b.blocks.back().number != b.to ||
        b.blocks.size() != b.to - b.from + 1)
        throw DataError("chain " + b.chain + ": batch " + std::to_string(b.from) + ".." +
                        std::to_string(b.to) + " does not carry every block of its range");
    // The last guard of "nothing is accepted that the database cannot hold" (readers check first).
    for (const BlockHeader& h : b.blocks)
        if (std::string why = unstorable(h); !why.empty())
            throw DataError("chain " + b.chain + ": " + why);
    for (const BalanceEvent& e : b.events)
        if (std::string why = unstorable(e); !why.empty())
            throw DataError("chain " + b.chain + ": " + why);
    // A batch is idempotent: after a broken connection it is simply written again.
    return m_impl->retrying("a batch commit", [&]() -> IngestResult {
        ensure_staging(*m_impl);
        for (bool fast : {true, false}) {
            try {
                return ingest_once(b, fast);
            } catch (const pqxx::unique_violation&) {
                if (!fast) throw;  // cannot happen on the checking path; never hide it
            } catch (const pqxx::check_violation& e) {
                throw DataError("chain " + b.chain + ": blocks " + std::to_string(b.from) + ".." +
                                std::to_string(b.to) +
                                ": a balance would leave the uint256 range, nothing of them was "
                                "written (" +
                                std::string(e.what()).substr(0, 200) + ")");
            }
        }
        return {};
    });
}

IngestResult Store::ingest_once(const Batch& b, bool allow_fast_path) {
    IngestResult result;
    pqxx::work tx(*m_impl->conn);
    tx.exec_params(k_chain_xact_lock, b.chain);
    // Finality stamps: what the batch saw, or what is stored if another process saw more.
    Stamps st{b.safe_block, b.finalized_block};
    auto w = tx.exec_params("SELECT safe_block, finalized_block FROM watermarks WHERE chain = $1",
                            b.chain);
    if (!w.empty()) {
        st.safe = std::max(st.safe, w[0][0].as<uint64_t>());
        st.finalized = std::max(st.finalized, w[0][1].as<uint64_t>());
    }

    if (auto stored = check_parent(tx, b)) {
        result.parent_mismatch = true;  // `tx` rolls back unused
        result.stored_parent = *stored;
        return result;
    }
    write_blocks(tx, b, st);
    bool fresh = allow_fast_path &&
                 !tx.exec_params1(
                        "SELECT EXISTS (SELECT 1 FROM balance_events WHERE chain = $1"
                        " AND block_number BETWEEN $2 AND $3)",
                        b.chain, static_cast<int64_t>(b.from), static_cast<int64_t>(b.to))[0]
                      .as<bool>();
    if (fresh)
        write_new_events(tx, b, st, result);
    else
        write_events_checked(tx, b, st, result);
    result.events_duplicate = b.events.size() - result.events_inserted;
    write_utxos(tx, b, st.finalized, fresh);
    write_dead_letters(tx, b);

    // The live watermark moves forward only, and only over a contiguous range.
    const BlockHeader& last = b.blocks.back();
    auto wm = tx.exec_params(
        "INSERT INTO watermarks (chain, block_number, block_hash, safe_block, finalized_block)"
        " VALUES ($1, $2::bigint, $3, LEAST($2::bigint, $5::bigint), LEAST($2::bigint, "
        "$6::bigint)) "
        "ON CONFLICT (chain) DO UPDATE SET block_number = EXCLUDED.block_number,"
        " block_hash = EXCLUDED.block_hash, updated_at = now() "
        "WHERE watermarks.block_number < EXCLUDED.block_number"
        " AND watermarks.block_number + 1 >= $4",
        b.chain, static_cast<int64_t>(last.number), bytea_param(last.hash),
        static_cast<int64_t>(b.from), static_cast<int64_t>(st.safe),
        static_cast<int64_t>(st.finalized));
    result.watermark_advanced = wm.affected_rows() == 1;
    // Rows were stamped with the batch's heights; the stored heights follow in the same
    // transaction, so `balances --at finalized` is right between batches too.
    promote_in(tx, b.chain, st.safe, st.finalized, static_cast<int64_t>(b.from),
               static_cast<int64_t>(b.to));

    if (b.job)
        tx.exec_params(
            "UPDATE backfill_jobs SET next_block = GREATEST(next_block, $4), updated_at = now() "
            "WHERE chain = $1 AND from_block = $2 AND to_block = $3",
            b.chain, static_cast<int64_t>(b.job->from), static_cast<int64_t>(b.job->to),
            static_cast<int64_t>(b.to + 1));
    tx.commit();
    return result;
}

UnwindResult Store::unwind(const UnwindRequest& req) {
    pqxx::work tx(*m_impl->conn);
    tx.exec_params(k_chain_xact_lock, req.chain);
    auto wm = tx.exec_params(
        "SELECT block_number, block_hash, finalized_block FROM watermarks WHERE chain = $1 "
        "FOR UPDATE",
        req.chain);
    if (wm.empty()) throw UsageError("chain " + req.chain + " has nothing indexed to unwind");
    UnwindResult result;
    result.old_head = wm[0][0].as<uint64_t>();
    const auto finalized = wm[0][2].as<uint64_t>();
    result.finalized_block = finalized;
    if (req.to_block >= result.old_head)
        throw UsageError("chain " + req.chain + ": nothing is indexed above block " +
                         std::to_string(req.to_block) + " (the watermark is " +
                         std::to_string(result.old_head) + ")");
    if (req.to_block < finalized && !req.allow_below_finalized)
        throw DataError("chain " + req.chain + ": refusing to unwind to block " +
                        std::to_string(req.to_block) + ", below the finalized block " +
                        std::to_string(finalized) +
                        (req.kind == "rollback"
                             ? "; pass --force to roll back finalized blocks"
                             : " (a reorg deeper than finality must be looked at by a person)"));
    const auto keep = static_cast<int64_t>(req.to_block);
    auto reverted = tx.exec_params1(
        "WITH del AS (DELETE FROM balance_events WHERE chain = $1 AND block_number > $2"
        "  RETURNING token, account, delta),"
        " agg AS (SELECT token, account, sum(delta) AS d, count(*) AS n FROM del"
        "  GROUP BY token, account),"
        " upd AS (UPDATE balances b SET amount = b.amount - agg.d FROM agg"
        "  WHERE b.chain = $1 AND b.token = agg.token AND b.account = agg.account RETURNING 1) "
        "SELECT coalesce(sum(n), 0)::bigint, (SELECT count(*) FROM upd) FROM agg",
        req.chain, keep);
    result.events_reverted = reverted[0].as<uint64_t>();
    result.balances_changed = reverted[1].as<uint64_t>();
    unwind_utxos(tx, req.chain, keep);
    auto removed =
        tx.exec_params("DELETE FROM blocks WHERE chain = $1 AND number > $2", req.chain, keep);
    result.blocks_removed = removed.affected_rows();
    auto kept =
        tx.exec_params("SELECT hash FROM blocks WHERE chain = $1 AND number = $2", req.chain, keep);
    if (kept.empty())
        throw DataError("chain " + req.chain + ": block " + std::to_string(req.to_block) +
                        " is not stored, so the watermark cannot be moved there");
    tx.exec_params(
        "UPDATE watermarks SET block_number = $2, block_hash = $3, updated_at = now(),"
        " safe_block = LEAST(safe_block, $2), finalized_block = LEAST(finalized_block, $2) "
        "WHERE chain = $1",
        req.chain, keep, std::string(kept[0][0].c_str()));
    tx.exec_params(
        "UPDATE backfill_jobs SET next_block = GREATEST(from_block, LEAST(next_block, $2 + 1)),"
        " finished_at = NULL,"
        " updated_at = now() WHERE chain = $1 AND to_block > $2",
        req.chain, keep);
    tx.exec_params(
        "INSERT INTO reorgs (chain, kind, fork_block, depth, old_head_number, old_head_hash,"
        " new_hash, events_reverted, reason)"
        " VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7::bytea, ''::bytea), $8, $9)",
        req.chain, req.kind, keep, static_cast<int64_t>(result.old_head - req.to_block),
        static_cast<int64_t>(result.old_head), std::string(wm[0][1].c_str()),
        req.new_hash ? bytea_param(*req.new_hash) : std::string(),
        static_cast<int64_t>(result.events_reverted), req.reason);
    if (req.dry_run) {
        tx.abort();
        return result;
    }
    tx.commit();
    return result;
}

void Store::promote_finality(const std::string& chain, uint64_t safe_block,
                             uint64_t finalized_block) {
    m_impl->retrying("finality promotion", [&] {
        pqxx::work tx(*m_impl->conn);
        tx.exec_params(k_chain_xact_lock, chain);  // so no batch stamps finality concurrently
        promote_in(tx, chain, safe_block, finalized_block);
        tx.commit();
    });
}

uint64_t Store::start_backfill(const std::string& chain, uint64_t from, uint64_t to) {
    return m_impl->retrying("backfill bookkeeping",
                            [&] { return start_backfill_once(chain, from, to); });
}

uint64_t Store::start_backfill_once(const std::string& chain, uint64_t from, uint64_t to) {
    pqxx::work tx(*m_impl->conn);
    auto r = tx.exec_params1(
        "INSERT INTO backfill_jobs (chain, from_block, to_block, next_block) VALUES ($1, $2, $3, "
        "$2) "
        "ON CONFLICT (chain, from_block, to_block) DO UPDATE SET updated_at = now() "
        "RETURNING next_block",
        chain, static_cast<int64_t>(from), static_cast<int64_t>(to));
    tx.commit();
    return r[0].as<uint64_t>();
}

void Store::finish_backfill(const std::string& chain, uint64_t from, uint64_t to) {
    m_impl->retrying("backfill bookkeeping", [&] { finish_backfill_once(chain, from, to); });
}

void Store::finish_backfill_once(const std::string& chain, uint64_t from, uint64_t to) {
    pqxx::work tx(*m_impl->conn);
    tx.exec_params(k_chain_xact_lock, chain);  // no unwind between the check and the mark
    // Done only when every block of the job is committed: an unwind moves next_block back.
    auto r = tx.exec_params(
        "UPDATE backfill_jobs SET finished_at = now(), updated_at = now() "
        "WHERE chain = $1 AND from_block = $2 AND to_block = $3 AND next_block > to_block "
        "RETURNING 1",
        chain, static_cast<int64_t>(from), static_cast<int64_t>(to));
    if (r.empty())
        throw Error("chain " + chain + ": backfill " + std::to_string(from) + ".." +
                    std::to_string(to) +
                    " is not complete: some of its blocks were removed while it ran (a rollback "
                    "or replay of the chain ran meanwhile). Run the backfill again: it continues "
                    "from what is stored");
    tx.commit();
}

}  // namespace chainidx::store
