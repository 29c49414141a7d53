// Bitcoin's UTXO table: outputs written and spent with their batch, found for spends the node
// did not describe, summed per account for reconcile, restored by an unwind. It holds the
// unspent outputs plus those spent above the finalized height (which an unwind may restore):
// an output spent in a final block is deleted, so the table is the UTXO set, not the history.
#include <cstring>
#include <unordered_map>

#include "core/store/store_impl.hpp"

namespace chainidx::store {

namespace {

// Array literals for unnest(): bytea in hex form, integers as text.
std::string int_array(const std::vector<int64_t>& v) {
    std::string s = "{";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "}";
}

}  // namespace

namespace {

// An output's key within a batch: its txid's first 8 bytes (a hash: evenly spread) and vout.
struct OutKeyHash {
    size_t operator()(const OutPoint& o) const {
        uint64_t h = 0;
        std::memcpy(&h, o.txid.data(), std::min<size_t>(8, o.txid.size()));
        return h ^ (uint64_t(o.vout) * 0x9e3779b97f4a7c15ULL);
    }
};
struct OutKeyEq {
    bool operator()(const OutPoint& a, const OutPoint& b) const {
        return a.vout == b.vout && a.txid == b.txid;
    }
};

// The planner sees `chain = $1` match every row of a chain and prefers a hash join over all of
// them once the batch is large, so a batch would cost more the more history is stored; and
// before the table's first ANALYZE it takes the table for tiny and scans it once per outpoint.
// These statements probe the primary key, once per outpoint, whatever the table's size.
constexpr const char* k_plan_settings[] = {"enable_hashjoin", "enable_mergejoin", "enable_seqscan"};
void probe_by_key(pqxx::work& tx) {
    for (const char* setting : k_plan_settings)
        tx.exec(std::string("SET LOCAL ") + setting + " = off");
}
void end_probe_by_key(pqxx::work& tx) {
    for (const char* setting : k_plan_settings)
        tx.exec(std::string("SET LOCAL ") + setting + " TO DEFAULT");
}

// Outputs spent at or below `block` are gone from the table now.
void note_pruned(pqxx::work& tx, const std::string& chain, int64_t block) {
    tx.exec_params(
        "UPDATE chains SET utxo_spent_pruned_to = $2 WHERE name = $1 AND utxo_spent_pruned_to < $2",
        chain, block);
}

}  // namespace

void write_utxos(pqxx::work& tx, const Batch& b, uint64_t finalized, bool fresh) {
    // Outputs the batch spends itself: an output spent in a final block is never stored (no
    // reorg can bring it back), one spent above the finalized height is stored as spent.
    std::unordered_map<OutPoint, size_t, OutKeyHash, OutKeyEq> created_at;
    created_at.reserve(b.created.size());
    for (size_t i = 0; i < b.created.size(); ++i) created_at.emplace(b.created[i].at, i);
    std::vector<std::optional<uint64_t>> spent_in(b.created.size());
    std::vector<Key> gone_txids, marked_txids;  // spends of outputs stored before this batch
    std::vector<int64_t> gone_vouts, marked_vouts, marked_blocks;
    for (const Spend& s : b.spent) {
        auto it = created_at.find(s.at);
        if (it != created_at.end() && b.created[it->second].block <= s.block) {
            spent_in[it->second] = s.block;
        } else if (s.block <= finalized) {
            gone_txids.push_back(s.at.txid);
            gone_vouts.push_back(s.at.vout);
        } else {
            marked_txids.push_back(s.at.txid);
            marked_vouts.push_back(s.at.vout);
            marked_blocks.push_back(static_cast<int64_t>(s.block));
        }
    }
    size_t rows = 0;
    for (size_t i = 0; i < b.created.size(); ++i)
        rows += !(spent_in[i] && *spent_in[i] <= finalized);
    if (rows > 0) {
        // A new range COPYs straight into the table; a txid stored twice (BIP30's duplicate
        // coinbases, or a range written before) fails the primary key, and the batch is
        // written again on the checking path, where the first outputs are kept, as the chain's
        // own UTXO set holds one of them.
        pqxx::stream_to out(tx, fresh ? "utxos" : "stage_utxos");
        for (size_t i = 0; i < b.created.size(); ++i) {
            if (spent_in[i] && *spent_in[i] <= finalized) continue;
            const Utxo& u = b.created[i];
            out << std::make_tuple(
                b.chain, bytea_param(u.at.txid), static_cast<int64_t>(u.at.vout),
                bytea_param(u.account), u.value, static_cast<int64_t>(u.block),
                spent_in[i] ? std::optional<int64_t>(*spent_in[i]) : std::optional<int64_t>());
        }
        out.complete();
        if (!fresh) tx.exec("INSERT INTO utxos SELECT * FROM stage_utxos ON CONFLICT DO NOTHING");
    }
    // An output spent in a final block, deleted or never stored: the table no longer knows the
    // unspent set below that block.
    if (!gone_txids.empty() || rows < b.created.size())
        note_pruned(tx, b.chain, static_cast<int64_t>(std::min<uint64_t>(finalized, b.to)));
    if (gone_txids.empty() && marked_txids.empty()) return;
    probe_by_key(tx);
    if (!gone_txids.empty())
        tx.exec_params(
            "DELETE FROM utxos u USING unnest($2::bytea[], $3::int[]) AS s(txid, vout) "
            "WHERE u.chain = $1 AND u.txid = s.txid AND u.vout = s.vout",
            b.chain, bytea_array(gone_txids), int_array(gone_vouts));
    if (!marked_txids.empty())
        tx.exec_params(
            "UPDATE utxos u SET spent_block = s.blk FROM unnest($2::bytea[], $3::int[], "
            "$4::bigint[]) AS s(txid, vout, blk) WHERE u.chain = $1 AND u.txid = s.txid AND "
            "u.vout = s.vout",
            b.chain, bytea_array(marked_txids), int_array(marked_vouts), int_array(marked_blocks));
    end_probe_by_key(tx);
}

void prune_spent_utxos(pqxx::work& tx, const std::string& chain, int64_t finalized) {
    auto gone = tx.exec_params("DELETE FROM utxos WHERE chain = $1 AND spent_block <= $2", chain,
                               finalized);
    if (gone.affected_rows() > 0) note_pruned(tx, chain, finalized);
}

void unwind_utxos(pqxx::work& tx, const std::string& chain, int64_t keep) {
    tx.exec_params("DELETE FROM utxos WHERE chain = $1 AND created_block > $2", chain, keep);
    tx.exec_params("UPDATE utxos SET spent_block = NULL WHERE chain = $1 AND spent_block > $2",
                   chain, keep);
}

std::vector<std::optional<Utxo>> Store::find_utxos(const std::string& chain,
                                                   const std::vector<OutPoint>& at) {
    std::vector<Key> txids;
    std::vector<int64_t> vouts;
    for (const OutPoint& o : at) {
        txids.push_back(o.txid);
        vouts.push_back(o.vout);
    }
    pqxx::work tx(*m_impl->conn);
    probe_by_key(tx);
    auto rows = tx.exec_params(
        "SELECT q.i, u.account, u.value, u.created_block FROM unnest($2::bytea[], $3::int[]) "
        "WITH ORDINALITY AS q(txid, vout, i) JOIN utxos u ON u.chain = $1 AND u.txid = q.txid "
        "AND u.vout = q.vout",
        chain, bytea_array(txids), int_array(vouts));
    std::vector<std::optional<Utxo>> out(at.size());
    for (auto row : rows) {
        size_t i = row[0].as<size_t>() - 1;
        Utxo u;
        u.at = at[i];
        u.account = key_of(row[1], tx);
        u.value = row[2].as<int64_t>();
        u.block = row[3].as<uint64_t>();
        out[i] = u;
    }
    tx.commit();
    return out;
}

std::optional<std::vector<std::pair<Key, Amount>>> Store::unspent_sums_at(
    const std::string& chain, uint64_t block, const std::vector<Key>& accounts) {
    pqxx::read_transaction tx(*m_impl->conn);
    auto pruned = tx.exec_params("SELECT utxo_spent_pruned_to FROM chains WHERE name = $1", chain);
    if (!pruned.empty() && static_cast<int64_t>(block) < pruned[0][0].as<int64_t>())
        return std::nullopt;
    auto rows = tx.exec_params(
        "SELECT a.account, coalesce(sum(u.value), 0)::text FROM unnest($3::bytea[]) AS "
        "a(account) LEFT JOIN utxos u ON u.chain = $1 AND u.account = a.account AND "
        "u.created_block <= $2 AND (u.spent_block IS NULL OR u.spent_block > $2) "
        "GROUP BY a.account",
        chain, static_cast<int64_t>(block), bytea_array(accounts));
    std::vector<std::pair<Key, Amount>> out;
    for (auto row : rows)
        out.emplace_back(key_of(row[0], tx), Amount::from_decimal(row[1].c_str()));
    return out;
}

int64_t Store::utxo_spent_pruned_to(const std::string& chain) {
    pqxx::read_transaction tx(*m_impl->conn);
    auto r = tx.exec_params("SELECT utxo_spent_pruned_to FROM chains WHERE name = $1", chain);
    return r.empty() ? -1 : r[0][0].as<int64_t>();
}

}  // namespace chainidx::store
