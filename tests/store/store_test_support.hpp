#pragma once
// Shared by the PostgreSQL tests: the database from CHAINIDX_TEST_DATABASE_URL, a clean schema per
// test case, hand-built batches, and direct SQL for what the Store API does not expose.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/store/store.hpp"

namespace chainidx::test {

inline constexpr const char* k_chain = "testchain";
inline constexpr uint64_t k_chain_id = 31337;

// CHAINIDX_TEST_DATABASE_URL; fails the running test case with a clear message when it is unset.
std::string test_database_url();

// Plain SQL on a separate connection, for checks and corruption the Store API does not offer.
class Sql {
  public:
    explicit Sql(const std::string& url);
    ~Sql();
    void exec(const std::string& sql);
    int64_t count(const std::string& sql);  // the first column of the one row, as an integer
    std::string text(const std::string& sql);
    // Every row of every chainidx table, hashed: equal fingerprints mean nothing was written.
    std::string fingerprint();

  private:
    struct Conn;  // a pqxx::connection, kept out of this header
    std::unique_ptr<Conn> m_conn;
};

// A test case's database: every migration reverted, then applied again (so each case starts from an
// empty schema), "testchain" registered, and a Store and an Sql connection.
struct TestDb {
    explicit TestDb(bool register_test_chain = true);
    ~TestDb();
    std::string url;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<Sql> sql;
};

// Deterministic block hashes; `branch` tells two forks of the same height apart.
Hash32 block_hash(uint64_t number, uint8_t branch = 0);
std::string hex_of(const Key& k);  // 0x-hex of the key bytes
Address address(uint8_t n);        // 0x00..00n, n > 0
Hash32 tx_hash(uint64_t block, uint32_t index, uint8_t branch = 0);

// A batch of the blocks [from, to], linked by parent hash, with no events yet.
store::Batch make_batch(uint64_t from, uint64_t to, uint8_t branch = 0);
// Appends a transfer in `block` (debit of `from` unless 0, credit of `to` unless 0), as the EVM
// normalizer would: one event id per (tx, log index, leg).
void add_transfer(store::Batch& batch, uint64_t block, uint8_t token, uint8_t from, uint8_t to,
                  const Amount& value, uint8_t branch = 0);
void add_transfer(store::Batch& batch, uint64_t block, uint8_t token, uint8_t from, uint8_t to,
                  uint64_t value, uint8_t branch = 0);

// "0xtoken/0xaccount" -> decimal, non-zero balances of the test chain.
std::map<std::string, std::string> balance_map(store::Store& s, Finality at = Finality::pending);
std::string pair_key(uint8_t token, uint8_t account);
// "{pair: amount, ...}", for failure messages.
std::string show(const std::map<std::string, std::string>& balances);

}  // namespace chainidx::test
