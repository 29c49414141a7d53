// Dead letters and token quarantine: items that could not be normalized, kept with their raw
// payload for `chainidx dlq`, and the tokens whose balances are not trusted because of them.
#include "core/store/store_impl.hpp"

namespace chainidx::store {

namespace {

constexpr const char* k_columns =
    "id, chain, block_number, block_hash, tx, item_index, token, source, error, payload, status, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')";

// Recording an item twice keeps one row; an operator's discard or a resolution stands.
constexpr const char* k_upsert =
    "INSERT INTO dead_letters (chain, block_number, block_hash, tx, item_index, token, source, "
    "error, payload, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (chain, tx, item_index) DO UPDATE SET block_number = EXCLUDED.block_number, "
    "block_hash = EXCLUDED.block_hash, error = EXCLUDED.error, payload = EXCLUDED.payload, "
    "status = CASE WHEN dead_letters.status IN ('discarded', 'resolved') "
    "THEN dead_letters.status ELSE EXCLUDED.status END";

DeadLetter row_to_dead_letter(const pqxx::row& r, pqxx::transaction_base& tx) {
    DeadLetter d;
    d.id = r[0].as<int64_t>();
    d.chain = r[1].as<std::string>();
    d.block_number = r[2].as<uint64_t>();
    d.block_hash = key_of(r[3], tx).fixed<32>();
    d.tx = key_of(r[4], tx);
    d.index = r[5].as<uint32_t>();
    d.token = key_of(r[6], tx);
    d.source = r[7].as<std::string>();
    d.error = r[8].as<std::string>();
    d.payload = r[9].as<std::string>();
    d.status = r[10].as<std::string>();
    d.created_at = r[11].as<std::string>();
    d.resolved_at = r[12].as<std::string>();
    return d;
}

}  // namespace

// In the batch's transaction (store_ingest.cpp): the quarantined items of its blocks.
void write_dead_letters(pqxx::work& tx, const Batch& b) {
    for (const DeadLetter& d : b.dead_letters)
        tx.exec_params(k_upsert, b.chain, static_cast<int64_t>(d.block_number),
                       bytea_param(d.block_hash), bytea_param(d.tx), static_cast<int64_t>(d.index),
                       bytea_param(d.token), d.source, d.error, d.payload, d.status);
}

std::pair<int64_t, std::string> Store::record_dead_letter(const DeadLetter& d) {
    return m_impl->retrying("a dead letter write", [&] {
        pqxx::work tx(*m_impl->conn);
        auto r = tx.exec_params1(std::string(k_upsert) + " RETURNING id, status", d.chain,
                                 static_cast<int64_t>(d.block_number), bytea_param(d.block_hash),
                                 bytea_param(d.tx), static_cast<int64_t>(d.index),
                                 bytea_param(d.token), d.source, d.error, d.payload, d.status);
        tx.commit();
        return std::make_pair(r[0].as<int64_t>(), r[1].as<std::string>());
    });
}

std::vector<DeadLetter> Store::dead_letters(const std::string& chain, const std::string& status) {
    return m_impl->retrying("a dead letter read", [&] {
        pqxx::read_transaction tx(*m_impl->conn);
        auto rows = tx.exec_params(std::string("SELECT ") + k_columns +
                                       " FROM dead_letters WHERE ($1 = '' OR chain = $1) AND "
                                       "($2 = 'all' OR status = $2) ORDER BY id",
                                   chain, status);
        std::vector<DeadLetter> out;
        for (const auto& r : rows) out.push_back(row_to_dead_letter(r, tx));
        return out;
    });
}

std::optional<DeadLetter> Store::dead_letter(int64_t id) {
    return m_impl->retrying("a dead letter read", [&]() -> std::optional<DeadLetter> {
        pqxx::read_transaction tx(*m_impl->conn);
        auto rows = tx.exec_params(
            std::string("SELECT ") + k_columns + " FROM dead_letters WHERE id = $1", id);
        if (rows.empty()) return std::nullopt;
        return row_to_dead_letter(rows[0], tx);
    });
}

bool Store::set_dead_letter_status(int64_t id, const std::string& status) {
    return m_impl->retrying("a dead letter write", [&] {
        pqxx::work tx(*m_impl->conn);
        auto r = tx.exec_params(
            "UPDATE dead_letters SET status = $2, resolved_at = CASE WHEN $2 IN ('resolved', "
            "'discarded') THEN now() END WHERE id = $1",
            id, status);
        tx.commit();
        return r.affected_rows() == 1;
    });
}

uint64_t Store::open_dead_letters(const std::string& chain) {
    return m_impl->retrying("a dead letter read", [&] {
        pqxx::read_transaction tx(*m_impl->conn);
        return tx
            .exec_params1("SELECT count(*) FROM dead_letters WHERE chain = $1 AND status = 'open'",
                          chain)[0]
            .as<uint64_t>();
    });
}

std::vector<std::pair<Key, uint32_t>> Store::discarded_items(const std::string& chain) {
    return m_impl->retrying("a dead letter read", [&] {
        pqxx::read_transaction tx(*m_impl->conn);
        auto rows = tx.exec_params(
            "SELECT tx, item_index FROM dead_letters WHERE chain = $1 AND status = 'discarded'",
            chain);
        std::vector<std::pair<Key, uint32_t>> out;
        for (const auto& r : rows) out.emplace_back(key_of(r[0], tx), r[1].as<uint32_t>());
        return out;
    });
}

void Store::quarantine_token(const std::string& chain, const Key& token, const std::string& reason,
                             uint64_t since_block) {
    m_impl->retrying("a quarantine write", [&] {
        pqxx::work tx(*m_impl->conn);
        tx.exec_params(
            "INSERT INTO quarantined_tokens (chain, token, reason, since_block) VALUES ($1, $2, "
            "$3, $4) ON CONFLICT (chain, token) DO NOTHING",
            chain, bytea_param(token), reason, static_cast<int64_t>(since_block));
        tx.exec_params(
            "UPDATE dead_letters SET status = 'quarantined' WHERE chain = $1 AND token = $2 AND "
            "status = 'open'",
            chain, bytea_param(token));
        tx.commit();
    });
}

std::vector<QuarantinedToken> Store::quarantined_tokens(const std::string& chain) {
    return m_impl->retrying("a quarantine read", [&] {
        pqxx::read_transaction tx(*m_impl->conn);
        auto rows = tx.exec_params(
            "SELECT token, reason, since_block, to_char(created_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM quarantined_tokens WHERE chain = $1 "
            "ORDER BY token",
            chain);
        std::vector<QuarantinedToken> out;
        for (const auto& r : rows)
            out.push_back({key_of(r[0], tx), r[1].as<std::string>(), r[2].as<uint64_t>(),
                           r[3].as<std::string>()});
        return out;
    });
}

}  // namespace chainidx::store
