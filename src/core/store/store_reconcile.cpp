// Queries and records behind `reconcile`.
#include "core/store/store_impl.hpp"

namespace chainidx::store {

std::vector<PairBalance> Store::balances_at(const std::string& chain, uint64_t block,
                                            const std::vector<Key>& tokens,
                                            const std::vector<Key>& accounts, size_t sample) {
    pqxx::read_transaction tx(*m_impl->conn);
    auto rows = tx.exec_params(
        "WITH later AS (SELECT token, account, sum(delta) AS d FROM balance_events"
        "  WHERE chain = $1 AND block_number > $2 GROUP BY token, account) "
        "SELECT b.token, b.account, (b.amount - coalesce(l.d, 0))::text "
        "FROM balances b LEFT JOIN later l ON l.token = b.token AND l.account = b.account "
        "WHERE b.chain = $1"
        " AND (cardinality($3::bytea[]) = 0 OR b.token = ANY($3::bytea[]))"
        " AND (cardinality($4::bytea[]) = 0 OR b.account = ANY($4::bytea[])) "
        "ORDER BY CASE WHEN $5::bigint > 0 THEN md5(b.token || b.account) END, b.token, b.account "
        "LIMIT CASE WHEN $5::bigint > 0 THEN $5::bigint END",
        chain, static_cast<int64_t>(block), bytea_array(tokens), bytea_array(accounts),
        static_cast<int64_t>(sample));
    std::vector<PairBalance> out;
    out.reserve(rows.size());
    for (auto row : rows)
        out.push_back(
            {key_of(row[0], tx), key_of(row[1], tx), Amount::from_decimal(row[2].c_str())});
    return out;
}

int64_t Store::record_reconcile(const std::string& chain, uint64_t block, uint64_t checked,
                                uint64_t matching, uint64_t sum_mismatches,
                                const std::vector<ReconcileDiff>& diffs) {
    pqxx::work tx(*m_impl->conn);
    auto id = tx.exec_params1(
                    "INSERT INTO reconcile_runs (chain, block_number, pairs_checked, "
                    "pairs_matching, pairs_drifted, sum_mismatches) VALUES ($1, $2, $3, $4, $5, "
                    "$6) RETURNING id",
                    chain, static_cast<int64_t>(block), static_cast<int64_t>(checked),
                    static_cast<int64_t>(matching), static_cast<int64_t>(diffs.size()),
                    static_cast<int64_t>(sum_mismatches))[0]
                  .as<int64_t>();
    // All diffs in one statement: a badly broken index can drift on thousands of pairs.
    std::vector<Key> tokens, accounts;
    std::string indexed = "{", on_chain = "{", classes = "{";
    for (size_t i = 0; i < diffs.size(); ++i) {
        const ReconcileDiff& d = diffs[i];
        const char* sep = i ? "," : "";
        tokens.push_back(d.token);
        accounts.push_back(d.account);
        indexed += sep + d.indexed.to_decimal();
        on_chain += sep + (d.on_chain ? d.on_chain->to_decimal() : std::string("NULL"));
        classes += sep + ("\"" + d.classification + "\"");  // fixed words, nothing to escape
    }
    if (!diffs.empty())
        tx.exec_params(
            "INSERT INTO reconcile_diffs (run_id, token, account, indexed, on_chain, "
            "classification) SELECT $1, * FROM unnest($2::bytea[], $3::bytea[], "
            "$4::numeric[], $5::numeric[], $6::text[])",
            id, bytea_array(tokens), bytea_array(accounts), indexed + "}", on_chain + "}",
            classes + "}");
    tx.commit();
    return id;
}

}  // namespace chainidx::store
