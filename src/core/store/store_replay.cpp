// replay: compare a re-derived range with what is stored, fix events and balances in one
// transaction.
#include "core/model/errors.hpp"
#include "core/store/store_impl.hpp"

namespace chainidx::store {

struct ReplaySession::Impl {
    std::string chain;
    uint64_t from = 0, to = 0;
    pqxx::work tx;
    Impl(pqxx::connection& c, std::string ch, uint64_t f, uint64_t t)
        : chain(std::move(ch)), from(f), to(t), tx(c) {}
};

ReplaySession::ReplaySession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ReplaySession::~ReplaySession() = default;

std::unique_ptr<ReplaySession> Store::begin_replay(const std::string& chain, uint64_t from,
                                                   uint64_t to) {
    auto impl = std::make_unique<ReplaySession::Impl>(*m_impl->conn, chain, from, to);
    auto& tx = impl->tx;
    tx.exec_params(k_chain_xact_lock, chain);
    auto wm = tx.exec_params("SELECT block_number FROM watermarks WHERE chain = $1", chain);
    if (wm.empty()) throw UsageError("chain " + chain + " has nothing indexed to replay");
    auto watermark = wm[0][0].as<uint64_t>();
    if (to > watermark)
        throw UsageError("--to " + std::to_string(to) + " is above the indexed watermark " +
                         std::to_string(watermark) + " of " + chain +
                         "; replay only re-derives indexed blocks (use backfill or scan)");
    tx.exec("CREATE TEMP TABLE replay_blocks (LIKE blocks) ON COMMIT DROP");
    tx.exec("CREATE TEMP TABLE replay_events (LIKE balance_events) ON COMMIT DROP");
    return std::make_unique<ReplaySession>(std::move(impl));
}

void ReplaySession::stage(const std::vector<BlockHeader>& blocks,
                          const std::vector<BalanceEvent>& events) {
    auto& tx = m_impl->tx;
    {
        pqxx::stream_to out(tx, "replay_blocks");
        for (const BlockHeader& h : blocks)
            out << std::make_tuple(m_impl->chain, static_cast<int64_t>(h.number),
                                   bytea_param(h.hash), bytea_param(h.parent_hash),
                                   static_cast<int64_t>(h.timestamp), 0, h.skipped);
        out.complete();
    }
    pqxx::stream_to out(tx, "replay_events");
    for (const BalanceEvent& e : events)
        out << std::make_tuple(m_impl->chain, bytea_param(e.tx),
                               static_cast<int64_t>(e.event_index), static_cast<int>(e.leg),
                               static_cast<int64_t>(e.block_number), bytea_param(e.block_hash),
                               bytea_param(e.token), bytea_param(e.account), e.delta.to_decimal(),
                               0);
    out.complete();
}

namespace {

std::vector<EventChange> changes_of(const pqxx::result& r, pqxx::transaction_base& tx) {
    std::vector<EventChange> out;
    for (auto row : r)
        out.push_back({key_of(row[0], tx), row[1].as<uint32_t>(),
                       static_cast<uint8_t>(row[2].as<int>()), row[3].as<uint64_t>(),
                       key_of(row[4], tx), key_of(row[5], tx), row[6].as<std::string>()});
    return out;
}

constexpr const char* k_change_columns =
    "tx_hash, event_index, leg, block_number, token, account, delta::text";
constexpr const char* k_change_order = " ORDER BY block_number, tx_hash, event_index, leg";

}  // namespace

ReplayResult ReplaySession::finish(bool apply) {
    auto& tx = m_impl->tx;
    const std::string& chain = m_impl->chain;
    const auto from = static_cast<int64_t>(m_impl->from);
    const auto to = static_cast<int64_t>(m_impl->to);
    ReplayResult result;

    auto moved = tx.exec(
        "SELECT r.number, '0x' || encode(b.hash, 'hex'), '0x' || encode(r.hash, 'hex') "
        "FROM replay_blocks r JOIN blocks b USING (chain, number) WHERE b.hash <> r.hash "
        "ORDER BY r.number LIMIT 1");
    if (!moved.empty())
        throw DataError("chain " + chain + ": block " + moved[0][0].as<std::string>() +
                        " is stored as " + moved[0][1].as<std::string>() +
                        " but the node now has " + moved[0][2].as<std::string>() +
                        ": the chain reorganised below the watermark; use `chainidx rollback` "
                        "to before it, then `chainidx scan`");
    tx.exec(
        "INSERT INTO blocks SELECT * FROM replay_blocks ON CONFLICT (chain, number) DO NOTHING");

    // Events stored in the range that the chain no longer yields (or yields differently).
    tx.exec(
        "CREATE TEMP TABLE replay_removed ON COMMIT DROP AS SELECT * FROM balance_events "
        "WHERE false");
    result.removed = changes_of(
        tx.exec_params(
            std::string("WITH del AS (DELETE FROM balance_events e WHERE e.chain = $1"
                        " AND e.block_number BETWEEN $2 AND $3 AND NOT EXISTS (SELECT 1 FROM "
                        "replay_events r WHERE r.tx_hash = e.tx_hash AND r.event_index = "
                        "e.event_index AND r.leg = e.leg AND r.token = e.token AND r.account = "
                        "e.account AND r.delta = e.delta AND r.block_hash = e.block_hash)"
                        " RETURNING *), kept AS (INSERT INTO replay_removed SELECT * FROM del) "
                        "SELECT ") +
                k_change_columns + " FROM del" + k_change_order,
            chain, from, to),
        tx);
    result.added = changes_of(
        tx.exec(std::string("WITH ins AS (INSERT INTO balance_events SELECT * FROM replay_events "
                            "ON CONFLICT DO NOTHING RETURNING *) SELECT ") +
                k_change_columns + " FROM ins" + k_change_order),
        tx);
    tx.exec(
        "UPDATE balance_events e SET finality = CASE WHEN e.block_number <= w.finalized_block "
        "THEN 2 WHEN e.block_number <= w.safe_block THEN 1 ELSE 0 END FROM watermarks w "
        "WHERE w.chain = e.chain AND e.chain = '" +
        tx.esc(chain) + "' AND e.block_number BETWEEN " + std::to_string(from) + " AND " +
        std::to_string(to));

    // Every pair the range touches gets its balance re-derived from all its events (invariant 4),
    // which also repairs a balance corrupted outside chainidx.
    auto fixes = tx.exec_params(
        "WITH pairs AS (SELECT token, account FROM replay_events UNION"
        "  SELECT token, account FROM replay_removed),"
        " sums AS (SELECT p.token, p.account, coalesce(sum(e.delta), 0) AS s,"
        "  coalesce(max(e.block_number), 0) AS blk FROM pairs p LEFT JOIN balance_events e"
        "  ON e.chain = $1 AND e.token = p.token AND e.account = p.account"
        "  GROUP BY p.token, p.account),"
        " diff AS (SELECT s.token, s.account, b.amount AS before, s.s AS after, s.blk"
        "  FROM sums s LEFT JOIN balances b ON b.chain = $1 AND b.token = s.token"
        "  AND b.account = s.account WHERE b.amount IS DISTINCT FROM s.s),"
        " up AS (INSERT INTO balances (chain, token, account, amount, updated_block)"
        "  SELECT $1, token, account, after, blk FROM diff"
        "  ON CONFLICT (chain, token, account) DO UPDATE SET amount = EXCLUDED.amount)"
        "SELECT token, account, coalesce(before::text, '(none)'), after::text FROM diff "
        "ORDER BY 1, 2",
        chain);
    for (auto row : fixes)
        result.balances.push_back({key_of(row[0], tx), key_of(row[1], tx), row[2].as<std::string>(),
                                   row[3].as<std::string>()});
    if (apply) {
        tx.commit();
        result.applied = true;
    } else {
        tx.abort();
    }
    return result;
}

}  // namespace chainidx::store
