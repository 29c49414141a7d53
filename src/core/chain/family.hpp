#pragma once
// The chain families chainidx indexes, one row each in chain/families.cpp (as ninja's kTools[]):
// everything outside a family's folder that differs by family reads it from its row, so adding a
// family is its folder plus one row (ARCHITECTURE.md ends with the checklist).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace chainidx::config {
struct ChainConfig;
}

namespace chainidx::chain {

class ChainAdapter;
class KeyCodec;

// A switch over it is checked by the compiler: a new family cannot be missed.
enum class Family : uint8_t { evm, bitcoin, solana };

// Config keys that only some families understand (config.cpp names them, a row accepts them).
enum FamilyKey : unsigned {
    k_key_tokens = 1u << 0,        // evm: the ERC-20 contracts to index
    k_key_commitment = 1u << 1,    // solana: processed, confirmed, finalized
    k_key_genesis_hash = 1u << 2,  // checked against the node's first block
};

struct FamilyInfo {
    Family id;
    const char* name;        // as written in the config and stored in the chains table
    const char* item_noun;   // what backfill and scan count: "Transfer logs", "balance changes"
    unsigned keys_accepted;  // the FamilyKey bits this family's chains may set
    bool needs_chain_id;     // the config must give chain_id (checked against the node)
    // The memory an answer of its node holds while it is parsed, per byte of answer: the body
    // plus simdjson's DOM of it (the fetch budget counts spans in flight with it). Measured as
    // the RSS of parsing a mainnet-shaped answer: eth_getLogs 1.62x the body, getblock
    // verbosity 3 1.73x (and a copy, for its exact amounts), Solana's getBlock json 2.21x.
    double answer_hold;
    // How its identifiers are written and parsed (chain/keys.hpp).
    const KeyCodec& (*keys)();
    // Defaults that differ from every family's, for keys the config left unset.
    void (*apply_defaults)(config::ChainConfig& c);
    std::unique_ptr<ChainAdapter> (*make_adapter)(const config::ChainConfig& c);
};

// Every family, in the order error messages list them.
std::span<const FamilyInfo> families();
const FamilyInfo& family_info(Family f);
// nullptr for a name no family has.
const FamilyInfo* find_family(std::string_view name);
// Throws UsageError naming the known families for an unknown name.
Family parse_family(std::string_view name);
const char* family_name(Family f);
// "\"evm\", \"bitcoin\" or \"solana\"": the families whose row has `key` (every one for 0).
std::string family_names(unsigned key = 0);

}  // namespace chainidx::chain
