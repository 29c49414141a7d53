#include "core/chain/solana/normalizer.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "core/model/base58.hpp"
#include "core/model/errors.hpp"

namespace chainidx::solana {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;

// Thrown while reading one item: it becomes a Rejected, the block goes on.
struct BadItem {
    std::string what;
};

// 64 bytes are at most 88 base58 characters; longer text is junk (and decoding is quadratic).
constexpr size_t k_max_base58_chars = 90;

Key key_of(std::string_view text, size_t size, const char* what) {
    if (text.size() > k_max_base58_chars)
        throw BadItem{std::string(what) + " is " + std::to_string(text.size()) +
                      " characters long, too long for base58 of " + std::to_string(size) +
                      " bytes"};
    std::vector<uint8_t> bytes;
    try {
        bytes = base58::decode(text, what);
    } catch (const UsageError& e) {
        throw BadItem{e.what()};
    }
    if (bytes.size() != size)
        throw BadItem{std::string(what) + " \"" + std::string(text) + "\" is " +
                      std::to_string(bytes.size()) + " bytes, expected " + std::to_string(size)};
    return Key(bytes.data(), bytes.size());
}

std::string_view text_of(element obj, const char* field) {
    std::string_view v;
    if (obj[field].get(v) != simdjson::SUCCESS)
        throw BadItem{std::string("field \"") + field + "\" is missing or not a string"};
    return v;
}

array array_of(element obj, const char* field) {
    array a;
    if (obj[field].get(a) != simdjson::SUCCESS)
        throw BadItem{std::string("field \"") + field + "\" is missing or not an array"};
    return a;
}

// An array that may be absent or null (older nodes, legacy transactions): empty then.
bool optional_array(element obj, const char* field, array& out) {
    element v;
    if (obj[field].get(v) != simdjson::SUCCESS || v.is_null()) return false;
    if (v.get(out) != simdjson::SUCCESS)
        throw BadItem{std::string("field \"") + field + "\" is not an array"};
    return true;
}

// lamports are u64 on chain: read exactly, never through a double.
uint64_t lamports_of(element e, size_t i, const char* name) {
    uint64_t v = 0;
    if (e.get(v) != simdjson::SUCCESS)
        throw BadItem{std::string(name) + "[" + std::to_string(i) + "] is not an unsigned integer"};
    return v;
}

Amount signed_amount(int64_t v) {
    if (v >= 0) return Amount::from_u64(static_cast<uint64_t>(v));
    return -Amount::from_u64(static_cast<uint64_t>(-(v + 1)) + 1);  // INT64_MIN safe
}

// A token balance entry's exact base-unit amount (uiTokenAmount.amount, a decimal string).
Amount token_amount_of(element entry) {
    element ui;
    if (entry["uiTokenAmount"].get(ui) != simdjson::SUCCESS || !ui.is_object())
        throw BadItem{"field \"uiTokenAmount\" is missing or not an object"};
    std::string_view text = text_of(ui, "amount");
    try {
        Amount a = Amount::from_decimal(text);
        if (a.is_negative())
            throw BadItem{"token amount \"" + std::string(text) + "\" is negative"};
        return a;
    } catch (const UsageError& e) {
        throw BadItem{std::string("token amount: ") + e.what()};
    }
}

// The entry's owner when it names one (old blocks do not): empty otherwise.
std::string_view owner_of(element entry) {
    element v;
    if (entry["owner"].get(v) != simdjson::SUCCESS || v.is_null()) return {};
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) throw BadItem{"field \"owner\" is not a string"};
    return s;
}

// A token account's two sides in one transaction.
struct TokenSides {
    element pre, post;
    bool has_pre = false, has_post = false;
};

class BlockNormalizer {
  public:
    BlockNormalizer(const BlockHeader& h, chain::Fetched& out) : m_h(h), m_out(out) {}

    void transaction(element tx, uint32_t position) {
        Key key;
        std::string label = "tx #" + std::to_string(position);
        std::vector<std::string_view> keys;
        element meta;
        try {
            element t;
            if (!tx.is_object() || tx["transaction"].get(t) != simdjson::SUCCESS || !t.is_object())
                throw BadItem{"field \"transaction\" is missing or not an object"};
            array sigs = array_of(t, "signatures");
            std::string_view sig;
            if (sigs.size() == 0 || sigs.at(0).get(sig) != simdjson::SUCCESS)
                throw BadItem{"the transaction has no signature"};
            key = key_of(sig, 64, "signature");
            label = "tx " + std::string(sig);
            if (tx["meta"].get(meta) != simdjson::SUCCESS || meta.is_null())
                throw BadItem{"field \"meta\" is missing or null: the node kept no status"};
            if (!meta.is_object()) throw BadItem{"field \"meta\" is not an object"};
            element message;
            if (t["message"].get(message) != simdjson::SUCCESS)
                throw BadItem{"field \"message\" is missing"};
            append_keys(array_of(message, "accountKeys"), "accountKeys", keys);
            element loaded;
            if (meta["loadedAddresses"].get(loaded) == simdjson::SUCCESS && !loaded.is_null()) {
                array a;
                if (optional_array(loaded, "writable", a))
                    append_keys(a, "loadedAddresses.writable", keys);
                if (optional_array(loaded, "readonly", a))
                    append_keys(a, "loadedAddresses.readonly", keys);
            }
        } catch (const BadItem& e) {
            // Without a signature the position tells it apart from its block's other txs.
            reject(key, key.empty() ? position : 0, Key(), label, e.what, tx);
            return;
        }
        lamport_changes(tx, key, label, keys, meta);
        token_changes(tx, key, label, keys, meta);
    }

    void reward(element r, uint32_t position) {
        const std::string label = "reward #" + std::to_string(position);
        try {
            if (!r.is_object()) throw BadItem{"a reward is not an object"};
            Key account = key_of(text_of(r, "pubkey"), 32, "reward pubkey");
            int64_t lamports = 0;
            if (r["lamports"].get(lamports) != simdjson::SUCCESS)
                throw BadItem{"field \"lamports\" is missing or not an integer"};
            if (lamports == 0) {
                ++m_out.stats.other_topic;
                return;
            }
            emit(Key(m_h.hash), position, 2, Key(), account, signed_amount(lamports));
        } catch (const BadItem& e) {
            reject(Key(m_h.hash), position, Key(), label, e.what, r);
        }
    }

  private:
    static void append_keys(array a, const char* name, std::vector<std::string_view>& keys) {
        for (element k : a) {
            std::string_view s;
            if (k.get(s) != simdjson::SUCCESS)
                throw BadItem{std::string("an entry of ") + name +
                              " is not a string (encoding json expected)"};
            keys.push_back(s);
        }
    }

    // SOL: post - pre per account index; zero changes are no event.
    void lamport_changes(element tx, const Key& key, const std::string& label,
                         const std::vector<std::string_view>& keys, element meta) {
        array pre, post;
        try {
            pre = array_of(meta, "preBalances");
            post = array_of(meta, "postBalances");
            if (pre.size() != keys.size() || post.size() != keys.size())
                throw BadItem{"preBalances (" + std::to_string(pre.size()) + "), postBalances (" +
                              std::to_string(post.size()) + ") and the account keys (" +
                              std::to_string(keys.size()) + ") differ in length"};
        } catch (const BadItem& e) {
            reject(key, 0, Key(), label, e.what, tx);
            return;
        }
        auto pre_it = pre.begin();
        auto post_it = post.begin();
        for (size_t i = 0; i < keys.size(); ++i, ++pre_it, ++post_it) {
            const auto index = static_cast<uint32_t>(i);
            try {
                Amount delta = Amount::from_u64(lamports_of(*post_it, i, "postBalances")) -
                               Amount::from_u64(lamports_of(*pre_it, i, "preBalances"));
                if (delta.is_zero()) {
                    ++m_out.stats.other_topic;
                    continue;
                }
                emit(key, index, 0, Key(), key_of(keys[i], 32, "account key"), delta);
            } catch (const BadItem& e) {
                reject(key, index, Key(), label + " account #" + std::to_string(i), e.what, tx);
            }
        }
    }

    // SPL: post - pre token amount per token account (accountIndex), a missing side being 0.
    void token_changes(element tx, const Key& key, const std::string& label,
                       const std::vector<std::string_view>& keys, element meta) {
        std::map<uint64_t, TokenSides> sides;  // ordered: events by account index
        std::set<uint64_t> twice;              // named twice in one list: unreadable
        for (bool is_post : {false, true}) {
            const char* name = is_post ? "postTokenBalances" : "preTokenBalances";
            array entries;
            try {
                if (!optional_array(meta, name, entries)) continue;
            } catch (const BadItem& e) {
                reject(key, 0, Key(), label, e.what, tx);
                return;
            }
            for (element entry : entries) {
                uint64_t index = 0;
                if (!entry.is_object() || entry["accountIndex"].get(index) != simdjson::SUCCESS) {
                    reject(key, 0, Key(), label,
                           std::string("an entry of ") + name +
                               " has no unsigned integer accountIndex",
                           tx);
                    continue;
                }
                TokenSides& s = sides[index];
                bool& has = is_post ? s.has_post : s.has_pre;
                if (has) twice.insert(index);
                has = true;
                (is_post ? s.post : s.pre) = entry;
            }
        }
        for (uint64_t index : twice) {
            reject(key, static_cast<uint32_t>(std::min<uint64_t>(index, UINT32_MAX)), Key(), label,
                   "a token balance list names account #" + std::to_string(index) + " twice", tx);
            sides.erase(index);
        }
        for (const auto& [index, s] : sides) {
            const auto index32 = static_cast<uint32_t>(std::min<uint64_t>(index, UINT32_MAX));
            Key mint;
            try {
                const element entry = s.has_post ? s.post : s.pre;
                mint = key_of(text_of(entry, "mint"), 32, "mint");
                if (index >= keys.size())
                    throw BadItem{"account index " + std::to_string(index) + " is out of range (" +
                                  std::to_string(keys.size()) + " account keys)"};
                Amount delta = (s.has_post ? token_amount_of(s.post) : Amount()) -
                               (s.has_pre ? token_amount_of(s.pre) : Amount());
                if (delta.is_zero()) {
                    ++m_out.stats.other_topic;
                    continue;
                }
                std::string_view owner = s.has_post ? owner_of(s.post) : std::string_view();
                if (owner.empty() && s.has_pre) owner = owner_of(s.pre);
                Key account = owner.empty() ? key_of(keys[index], 32, "token account key")
                                            : key_of(owner, 32, "owner");
                emit(key, index32, 1, mint, account, delta);
            } catch (const BadItem& e) {
                reject(key, index32, mint, label + " token account #" + std::to_string(index),
                       e.what, tx);
            }
        }
    }

    void emit(const Key& tx, uint32_t index, uint8_t leg, const Key& token, const Key& account,
              const Amount& delta) {
        BalanceEvent e;
        e.block_number = m_h.number;
        e.block_hash = m_h.hash;
        e.tx = tx;
        e.event_index = index;
        e.leg = leg;
        e.token = token;
        e.account = account;
        e.delta = delta;
        m_out.events.push_back(std::move(e));
        ++m_out.stats.transfers;
    }

    // A dead letter's identity is (tx, index): a second problem with the same item is added to
    // the first one's text (a transaction's dead letters are the last ones appended).
    void reject(const Key& tx, uint32_t index, const Key& token, const std::string& label,
                const std::string& what, element payload) {
        for (auto it = m_out.rejected.rbegin();
             it != m_out.rejected.rend() && it->block_number == m_h.number && it->tx == tx; ++it)
            if (it->index == index) {
                it->error += "; " + label + ": " + what;
                return;
            }
        chain::Rejected r;
        r.block_number = m_h.number;
        r.block_hash = m_h.hash;
        r.tx = tx;
        r.index = index;
        r.token = token;
        r.error = "slot " + std::to_string(m_h.number) + " " + label + ": " + what;
        r.payload = simdjson::to_string(payload);
        m_out.rejected.push_back(std::move(r));
        ++m_out.stats.malformed;
    }

    const BlockHeader& m_h;
    chain::Fetched& m_out;
};

}  // namespace

BlockHeader parse_block_header(element block, uint64_t slot, const std::string& ctx) {
    try {
        if (!block.is_object()) throw BadItem{"the block is not a JSON object"};
        BlockHeader h;
        h.number = slot;
        h.hash = key_of(text_of(block, "blockhash"), 32, "blockhash").fixed<32>();
        h.parent_hash =
            key_of(text_of(block, "previousBlockhash"), 32, "previousBlockhash").fixed<32>();
        element time;
        if (block["blockTime"].get(time) == simdjson::SUCCESS && !time.is_null() &&
            time.get(h.timestamp) != simdjson::SUCCESS)
            throw BadItem{"field \"blockTime\" is not an unsigned integer or null"};
        return h;
    } catch (const BadItem& e) {
        throw RpcError(ctx + ": slot " + std::to_string(slot) + ": " + e.what, true);
    }
}

BlockHeader normalize_block(element block, uint64_t slot, const std::string& ctx,
                            chain::Fetched& out) {
    const BlockHeader h = parse_block_header(block, slot, ctx);
    array txs, rewards;
    bool has_rewards = false;
    try {
        txs = array_of(block, "transactions");
        has_rewards = optional_array(block, "rewards", rewards);
    } catch (const BadItem& e) {
        throw RpcError(ctx + ": slot " + std::to_string(slot) + ": " + e.what +
                           " (getBlock with transactionDetails \"full\" expected)",
                       true);
    }
    BlockNormalizer n(h, out);
    uint32_t position = 0;
    for (element tx : txs) n.transaction(tx, position++);
    position = 0;
    if (has_rewards)
        for (element r : rewards) n.reward(r, position++);
    return h;
}

}  // namespace chainidx::solana
