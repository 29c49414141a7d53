// Read queries behind `status` and `balances`, and the balances-equal-events check.
#include "core/store/store_impl.hpp"

namespace chainidx::store {

namespace {

// A filter on an optional key: an empty array means "any".
std::string filter_of(const std::optional<Key>& k) {
    return k ? bytea_array({*k}) : std::string("{}");
}

}  // namespace

Status Store::status(const std::string& chain) {
    pqxx::read_transaction tx(*m_impl->conn);
    Status s;
    s.chain = chain;
    auto wm = tx.exec_params(
        "SELECT block_number, '0x' || encode(block_hash, 'hex'), safe_block, finalized_block "
        "FROM watermarks WHERE chain = $1",
        chain);
    if (!wm.empty()) {
        s.watermark = wm[0][0].as<uint64_t>();
        s.watermark_hash = wm[0][1].as<std::string>();
        s.safe_block = wm[0][2].as<uint64_t>();
        s.finalized_block = wm[0][3].as<uint64_t>();
    }
    auto counts = tx.exec_params1(
        "SELECT (SELECT count(*) FROM balance_events WHERE chain = $1),"
        " (SELECT count(*) FROM blocks WHERE chain = $1),"
        " (SELECT count(*) FROM balances WHERE chain = $1),"
        " (SELECT count(*) FROM reorgs WHERE chain = $1)",
        chain);
    s.event_count = counts[0].as<uint64_t>();
    s.block_count = counts[1].as<uint64_t>();
    s.balance_count = counts[2].as<uint64_t>();
    s.reorg_count = counts[3].as<uint64_t>();
    auto last = tx.exec_params(
        "SELECT kind, fork_block, depth, old_head_number,"
        " coalesce('0x' || encode(old_head_hash, 'hex'), ''),"
        " coalesce('0x' || encode(new_hash, 'hex'), ''), events_reverted, detected_at::text "
        "FROM reorgs WHERE chain = $1 ORDER BY id DESC LIMIT 1",
        chain);
    if (!last.empty()) {
        ReorgRecord r;
        r.kind = last[0][0].as<std::string>();
        r.fork_block = last[0][1].as<uint64_t>();
        r.depth = last[0][2].as<uint64_t>();
        r.old_head_number = last[0][3].as<uint64_t>();
        r.old_head_hash = last[0][4].as<std::string>();
        r.new_hash = last[0][5].as<std::string>();
        r.events_reverted = last[0][6].as<uint64_t>();
        r.detected_at = last[0][7].as<std::string>();
        s.last_reorg = r;
    }
    for (auto row : tx.exec_params("SELECT from_block, to_block FROM backfill_jobs "
                                   "WHERE chain = $1 AND finished_at IS NULL ORDER BY from_block",
                                   chain))
        s.unfinished_backfills.push_back({row[0].as<uint64_t>(), row[1].as<uint64_t>()});
    return s;
}

BalancesResult Store::balances(const BalanceQuery& q) {
    pqxx::read_transaction tx(*m_impl->conn);
    BalancesResult out;
    auto wm = tx.exec_params(
        "SELECT block_number, safe_block, finalized_block FROM watermarks WHERE chain = $1",
        q.chain);
    if (!wm.empty()) {
        auto head = wm[0][0].as<uint64_t>();
        if (q.at == Finality::safe) head = std::min(head, wm[0][1].as<uint64_t>());
        if (q.at == Finality::finalized) head = std::min(head, wm[0][2].as<uint64_t>());
        out.block = head;
    }
    // As of a finality stage: the live balance less the events not yet at that stage. Those all
    // lie above the stage's height (finality follows the block number), so the block index finds
    // them in the short unfinalized window.
    const int64_t above = out.block ? static_cast<int64_t>(*out.block) : 0;
    auto rows = tx.exec_params(
        "WITH pending AS (SELECT token, account, sum(delta) AS d FROM balance_events"
        "  WHERE chain = $1 AND $4 > 0 AND block_number > $5 AND finality < $4"
        "  GROUP BY token, account) "
        "SELECT b.token, b.account, (b.amount - coalesce(p.d, 0))::text "
        "FROM balances b LEFT JOIN pending p ON p.token = b.token AND p.account = b.account "
        "WHERE b.chain = $1"
        " AND (cardinality($2::bytea[]) = 0 OR b.token = ANY($2::bytea[]))"
        " AND (cardinality($3::bytea[]) = 0 OR b.account = ANY($3::bytea[])) "
        "ORDER BY b.token, b.account",
        q.chain, filter_of(q.token), filter_of(q.account), static_cast<int>(q.at), above);
    for (auto row : rows) {
        BalanceRow r{key_of(row[0], tx), key_of(row[1], tx), row[2].as<std::string>()};
        if (!q.include_zero && r.amount == "0") continue;
        out.rows.push_back(std::move(r));
    }
    return out;
}

std::vector<SumMismatch> Store::verify_balances(const std::string& chain) {
    pqxx::read_transaction tx(*m_impl->conn);
    std::vector<SumMismatch> out;
    auto rows = tx.exec_params(
        "SELECT coalesce(b.token, e.token), coalesce(b.account, e.account),"
        " coalesce(b.amount, 0)::text, coalesce(e.s, 0)::text "
        "FROM (SELECT token, account, amount FROM balances WHERE chain = $1) b "
        "FULL JOIN (SELECT token, account, sum(delta) AS s FROM balance_events WHERE chain = $1"
        " GROUP BY token, account) e ON b.token = e.token AND b.account = e.account "
        "WHERE coalesce(b.amount, 0) <> coalesce(e.s, 0) ORDER BY 1, 2 LIMIT 1000",
        chain);
    for (auto row : rows)
        out.push_back({key_of(row[0], tx), key_of(row[1], tx), row[2].as<std::string>(),
                       row[3].as<std::string>()});
    return out;
}

}  // namespace chainidx::store
