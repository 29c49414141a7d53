#include "store_test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <pqxx/pqxx>

#include "core/model/errors.hpp"

namespace chainidx::test {

std::string test_database_url() {
    const char* url = std::getenv("CHAINIDX_TEST_DATABASE_URL");
    if (url == nullptr || *url == '\0')
        FAIL(
            "CHAINIDX_TEST_DATABASE_URL is not set: the PostgreSQL tests need a database they may "
            "wipe, e.g. CHAINIDX_TEST_DATABASE_URL=postgres://user@127.0.0.1:5432/chainidx_test "
            "(scripts/test starts one and sets it)");
    return url;
}

struct Sql::Conn {
    explicit Conn(const std::string& url) : c(url) {}
    pqxx::connection c;
};

Sql::Sql(const std::string& url) : m_conn(std::make_unique<Conn>(url)) {}
Sql::~Sql() = default;

void Sql::exec(const std::string& sql) {
    pqxx::work tx(m_conn->c);
    tx.exec(sql);
    tx.commit();
}

int64_t Sql::count(const std::string& sql) {
    pqxx::nontransaction tx(m_conn->c);
    return tx.exec1(sql)[0].as<int64_t>();
}

std::string Sql::text(const std::string& sql) {
    pqxx::nontransaction tx(m_conn->c);
    auto row = tx.exec1(sql);
    return row[0].is_null() ? std::string("NULL") : row[0].as<std::string>();
}

std::string Sql::fingerprint() {
    std::string out;
    for (const char* table : {"chains", "blocks", "balance_events", "balances", "watermarks",
                              "reorgs", "backfill_jobs"})
        out += std::string(table) + "=" +
               text(std::string("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), "
                                "'')) FROM ") +
                    table + " t") +
               " ";
    return out;
}

namespace {

// Every migration reverted, then applied again. A previous case that failed halfway may have left
// an edited checksum behind, which migrate_down refuses: then the schema is dropped instead.
void reset_schema(const std::string& url) {
    store::Store s(url, "chainidx_store_tests");
    try {
        s.migrate_down(1000);
    } catch (const UsageError& e) {
        MESSAGE("migrate_down refused (" << std::string(e.what())
                                         << "); dropping the schema instead");
        Sql sql(url);
        sql.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    }
    s.migrate_up();
}

}  // namespace

TestDb::TestDb(bool register_test_chain) : url(test_database_url()) {
    reset_schema(url);
    store = std::make_unique<store::Store>(url, "chainidx_store_tests");
    sql = std::make_unique<Sql>(url);
    if (register_test_chain) store->register_chain(k_chain, "evm", k_chain_id);
}

TestDb::~TestDb() = default;

Hash32 block_hash(uint64_t number, uint8_t branch) {
    Hash32 h{};
    h[0] = 0xb1;
    h[1] = branch;
    for (int i = 0; i < 8; ++i) h[31 - i] = static_cast<uint8_t>(number >> (8 * i));
    return h;
}

std::string hex_of(const Key& k) {
    return hex::encode(k.data(), k.size());
}

Address address(uint8_t n) {
    Address a{};
    a[19] = n;
    return a;
}

Hash32 tx_hash(uint64_t block, uint32_t index, uint8_t branch) {
    Hash32 h{};
    h[0] = 0x7a;
    h[1] = branch;
    for (int i = 0; i < 8; ++i) h[15 - i] = static_cast<uint8_t>(block >> (8 * i));
    for (int i = 0; i < 4; ++i) h[31 - i] = static_cast<uint8_t>(index >> (8 * i));
    return h;
}

store::Batch make_batch(uint64_t from, uint64_t to, uint8_t branch) {
    store::Batch b;
    b.chain = k_chain;
    b.from = from;
    b.to = to;
    for (uint64_t n = from; n <= to; ++n) {
        BlockHeader h;
        h.number = n;
        h.hash = block_hash(n, branch);
        h.parent_hash = n == 0 ? Hash32{} : block_hash(n - 1, branch);
        h.timestamp = 1700000000 + 12 * n;
        b.blocks.push_back(h);
    }
    return b;
}

void add_transfer(store::Batch& batch, uint64_t block, uint8_t token, uint8_t from, uint8_t to,
                  const Amount& value, uint8_t branch) {
    uint32_t log_index = 0;
    for (const BalanceEvent& e : batch.events)
        if (e.block_number == block) log_index = std::max(log_index, e.event_index + 1);
    BalanceEvent e;
    e.block_number = block;
    e.block_hash = block_hash(block, branch);
    e.tx = tx_hash(block, log_index, branch);
    e.event_index = log_index;
    e.token = address(token);
    if (from != 0) {
        e.leg = 0;
        e.account = address(from);
        e.delta = -value;
        batch.events.push_back(e);
    }
    if (to != 0) {
        e.leg = 1;
        e.account = address(to);
        e.delta = value;
        batch.events.push_back(e);
    }
}

void add_transfer(store::Batch& batch, uint64_t block, uint8_t token, uint8_t from, uint8_t to,
                  uint64_t value, uint8_t branch) {
    add_transfer(batch, block, token, from, to, Amount::from_u64(value), branch);
}

std::string pair_key(uint8_t token, uint8_t account) {
    return hex::encode(address(token)) + "/" + hex::encode(address(account));
}

std::string show(const std::map<std::string, std::string>& balances) {
    std::string out = "{";
    for (const auto& [pair, amount] : balances)
        out += (out.size() > 1 ? ", " : "") + pair + ": " + amount;
    return out + "}";
}

std::map<std::string, std::string> balance_map(store::Store& s, Finality at) {
    store::BalanceQuery q;
    q.chain = k_chain;
    q.at = at;
    std::map<std::string, std::string> out;
    for (const store::BalanceRow& r : s.balances(q).rows)
        out[hex_of(r.token) + "/" + hex_of(r.account)] = r.amount;
    return out;
}

}  // namespace chainidx::test
