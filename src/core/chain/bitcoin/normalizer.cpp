#include "core/chain/bitcoin/normalizer.hpp"

#include "core/chain/bitcoin/bitcoin_family.hpp"
#include "core/chain/bitcoin/btc_amount.hpp"
#include "core/chain/bitcoin/script_owner.hpp"
#include "core/chain/keys.hpp"
#include "core/model/errors.hpp"

namespace chainidx::bitcoin {

namespace {

using simdjson::dom::element;

// Thrown inside one transaction: it becomes a Rejected, the block goes on.
struct BadItem {
    std::string what;
};

std::string_view text_of(element obj, const char* field) {
    std::string_view v;
    if (obj[field].get(v) != simdjson::SUCCESS)
        throw BadItem{std::string("field \"") + field + "\" is missing or not a string"};
    return v;
}

uint64_t uint_of(element obj, const char* field) {
    uint64_t v = 0;
    if (obj[field].get(v) != simdjson::SUCCESS)
        throw BadItem{std::string("field \"") + field + "\" is missing or not an unsigned integer"};
    return v;
}

Key txid_of(std::string_view hex) {
    try {
        auto bytes = hex::decode_fixed<32>(hex, "txid");
        return Key(bytes);
    } catch (const UsageError& e) {
        throw BadItem{e.what()};
    }
}

// An amount field: its exact text (the client quotes fractional numbers) or a plain integer.
int64_t satoshis_of(element obj, const char* field) {
    element v;
    if (obj[field].get(v) != simdjson::SUCCESS)
        throw BadItem{std::string("field \"") + field + "\" is missing"};
    try {
        if (v.is_string()) return satoshis_from_btc(std::string_view(v), field);
        uint64_t whole = 0;
        if (v.get(whole) == simdjson::SUCCESS)
            return satoshis_from_btc(std::to_string(whole), field);
    } catch (const UsageError& e) {
        throw BadItem{e.what()};
    }
    throw BadItem{std::string("field \"") + field +
                  "\" is not an exact decimal (a double would lose satoshis)"};
}

// The owner of an output's scriptPubKey, empty for OP_RETURN. An address that is not one
// (empty, too long, not printable ASCII: what `ingest` would refuse) gives way to the script id.
std::string owner_of(element spk) {
    std::string_view type;
    if (spk["type"].get(type) == simdjson::SUCCESS && type == "nulldata") return {};
    std::string_view address;
    if (spk["address"].get(address) == simdjson::SUCCESS && is_account_text(address))
        return std::string(address);
    simdjson::dom::array list;
    if (spk["addresses"].get(list) == simdjson::SUCCESS && list.size() == 1 &&
        list.at(0).get(address) == simdjson::SUCCESS && is_account_text(address))
        return std::string(address);
    try {
        return script_id(text_of(spk, "hex"));
    } catch (const UsageError& e) {
        throw BadItem{e.what()};
    }
}

element scriptpubkey_of(element obj) {
    element spk;
    if (obj["scriptPubKey"].get(spk) != simdjson::SUCCESS || !spk.is_object())
        throw BadItem{"field \"scriptPubKey\" is missing or not an object"};
    return spk;
}

uint32_t index_of(element obj, const char* field) {
    uint64_t v = uint_of(obj, field);
    if (v > UINT32_MAX) throw BadItem{std::string("field \"") + field + "\" is out of range"};
    return static_cast<uint32_t>(v);
}

// One transaction's events, outputs and spends, appended to `out` only when all of it reads.
void normalize_tx(element tx, const BlockHeader& h, chain::Fetched& out) {
    chain::Fetched mine;
    const Key txid = txid_of(text_of(tx, "txid"));
    simdjson::dom::array vin, vout;
    if (tx["vin"].get(vin) != simdjson::SUCCESS) throw BadItem{"field \"vin\" is not an array"};
    if (tx["vout"].get(vout) != simdjson::SUCCESS) throw BadItem{"field \"vout\" is not an array"};
    uint32_t k = 0;
    for (element in : vin) {
        const uint32_t input = k++;
        if (!in.is_object()) throw BadItem{"an input is not an object"};
        element ignored;
        if (in["coinbase"].get(ignored) == simdjson::SUCCESS) continue;
        Spend s;
        s.at.txid = txid_of(text_of(in, "txid"));
        s.at.vout = index_of(in, "vout");
        s.block = h.number;
        BalanceEvent e{h.number, h.hash, txid, input, 0, Key(), Key(), Amount()};
        element prevout;
        if (in["prevout"].get(prevout) == simdjson::SUCCESS) {
            const int64_t value = satoshis_of(prevout, "value");
            const std::string owner = owner_of(scriptpubkey_of(prevout));
            if (value > 0 && !owner.empty()) {
                e.account = Key::from_text(owner);
                e.delta = -Amount::from_u64(static_cast<uint64_t>(value));
                mine.events.push_back(e);
                ++mine.stats.transfers;
            }
        } else {
            s.unresolved_event = mine.events.size();  // relative to this tx until appended
            mine.events.push_back(e);
            ++mine.stats.transfers;
        }
        mine.spent.push_back(s);
    }
    for (element o : vout) {
        if (!o.is_object()) throw BadItem{"an output is not an object"};
        const uint32_t n = index_of(o, "n");
        const int64_t value = satoshis_of(o, "value");
        const std::string owner = owner_of(scriptpubkey_of(o));
        if (owner.empty()) {  // OP_RETURN: unspendable, no balance
            ++mine.stats.other_topic;
            continue;
        }
        const Key account = Key::from_text(owner);
        mine.created.push_back(Utxo{{txid, n}, account, value, h.number});
        if (value == 0) {
            ++mine.stats.other_topic;
            continue;
        }
        mine.events.push_back(BalanceEvent{h.number, h.hash, txid, n, 1, Key(), account,
                                           Amount::from_u64(static_cast<uint64_t>(value))});
        ++mine.stats.transfers;
    }
    const size_t offset = out.events.size();
    for (Spend& s : mine.spent) {
        if (s.unresolved_event) *s.unresolved_event += offset;
        out.spent.push_back(s);
    }
    out.events.insert(out.events.end(), mine.events.begin(), mine.events.end());
    out.created.insert(out.created.end(), mine.created.begin(), mine.created.end());
    out.stats += mine.stats;
}

}  // namespace

BlockHeader parse_block_header(element block, const std::string& ctx) {
    try {
        BlockHeader h;
        h.number = uint_of(block, "height");
        h.hash = hex::decode_fixed<32>(text_of(block, "hash"), "hash");
        std::string_view parent;
        if (block["previousblockhash"].get(parent) == simdjson::SUCCESS)
            h.parent_hash = hex::decode_fixed<32>(parent, "previousblockhash");
        else if (h.number != 0)
            throw BadItem{"field \"previousblockhash\" is missing"};
        h.timestamp = uint_of(block, "time");
        return h;
    } catch (const BadItem& e) {
        throw RpcError(ctx + ": " + e.what, true);
    } catch (const UsageError& e) {
        throw RpcError(ctx + ": " + e.what(), true);
    }
}

void normalize_block(element block, const std::string& ctx, chain::Fetched& out) {
    const BlockHeader h = parse_block_header(block, ctx);
    out.headers.push_back(h);
    simdjson::dom::array txs;
    if (block["tx"].get(txs) != simdjson::SUCCESS)
        throw RpcError(ctx + ": block " + std::to_string(h.number) +
                           " has no \"tx\" array of transactions (getblock verbosity 2 or 3 "
                           "expected)",
                       true);
    uint32_t position = 0;
    for (element tx : txs) {
        try {
            if (!tx.is_object()) throw BadItem{"a transaction is not an object (verbosity 1?)"};
            normalize_tx(tx, h, out);
        } catch (const BadItem& e) {
            chain::Rejected r;
            r.block_number = h.number;
            r.block_hash = h.hash;
            std::string_view id;
            if (tx.is_object() && tx["txid"].get(id) == simdjson::SUCCESS && id.size() == 64) {
                try {
                    r.tx = Key(hex::decode_fixed<32>(id, "txid"));
                } catch (const UsageError&) {
                }
            }
            r.index = position;
            r.error = "block " + std::to_string(h.number) + " tx #" + std::to_string(position) +
                      ": " + e.what;
            r.payload = simdjson::to_string(tx);
            out.rejected.push_back(std::move(r));
            ++out.stats.malformed;
        }
        ++position;
    }
}

}  // namespace chainidx::bitcoin
