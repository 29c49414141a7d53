// Bitcoin's UTXO table: outputs written and spent with their batch, found for spends the node
// did not describe, summed per account for reconcile, restored by an unwind.
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

void write_utxos(pqxx::work& tx, const Batch& b) {
    if (!b.created.empty()) {
        pqxx::stream_to out(tx, "stage_utxos");
        for (const Utxo& u : b.created)
            out << std::make_tuple(b.chain, bytea_param(u.at.txid), static_cast<int64_t>(u.at.vout),
                                   bytea_param(u.account), u.value, static_cast<int64_t>(u.block),
                                   std::optional<int64_t>());
        out.complete();
        // A txid seen twice (BIP30's duplicate coinbases) keeps its first outputs, as the
        // chain's own UTXO set holds one of them.
        tx.exec("INSERT INTO utxos SELECT * FROM stage_utxos ON CONFLICT DO NOTHING");
    }
    if (!b.spent.empty()) {
        std::vector<Key> txids;
        std::vector<int64_t> vouts, blocks;
        for (const Spend& s : b.spent) {
            txids.push_back(s.at.txid);
            vouts.push_back(s.at.vout);
            blocks.push_back(static_cast<int64_t>(s.block));
        }
        tx.exec_params(
            "UPDATE utxos u SET spent_block = s.blk FROM unnest($2::bytea[], $3::int[], "
            "$4::bigint[]) AS s(txid, vout, blk) WHERE u.chain = $1 AND u.txid = s.txid AND "
            "u.vout = s.vout",
            b.chain, bytea_array(txids), int_array(vouts), int_array(blocks));
    }
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
    pqxx::read_transaction tx(*m_impl->conn);
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
    return out;
}

std::vector<std::pair<Key, Amount>> Store::unspent_sums_at(const std::string& chain, uint64_t block,
                                                           const std::vector<Key>& accounts) {
    pqxx::read_transaction tx(*m_impl->conn);
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

}  // namespace chainidx::store
