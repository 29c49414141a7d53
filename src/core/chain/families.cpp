// The family registry: one row per chain family. A new family is its folder under chain/ (an
// adapter, a normalizer, a <family>_family.cpp) and one row here; see ARCHITECTURE.md.
#include "core/chain/bitcoin/bitcoin_family.hpp"
#include "core/chain/evm/evm_family.hpp"
#include "core/chain/family.hpp"
#include "core/chain/solana/solana_family.hpp"
#include "core/model/errors.hpp"

namespace chainidx::chain {

namespace {

// clang-format off
constexpr FamilyInfo k_families[] = {
    // id               name       items counted       family-only keys accepted          chain_id
    {Family::evm,     "evm",     "Transfer logs",    k_key_tokens,                          true,
     evm::keys,     evm::apply_defaults,     evm::new_adapter},
    {Family::bitcoin, "bitcoin", "balance changes",  k_key_genesis_hash,                    false,
     bitcoin::keys, bitcoin::apply_defaults, bitcoin::new_adapter},
    {Family::solana,  "solana",  "balance changes",  k_key_commitment | k_key_genesis_hash, false,
     solana::keys,  solana::apply_defaults,  solana::new_adapter},
};
// clang-format on

// The table is indexed by the enum: a row out of place is a compile error, not a wrong family.
constexpr bool rows_in_enum_order() {
    for (size_t i = 0; i < std::size(k_families); ++i)
        if (static_cast<size_t>(k_families[i].id) != i) return false;
    return true;
}
static_assert(rows_in_enum_order(), "k_families must list the families in enum order");

}  // namespace

std::span<const FamilyInfo> families() {
    return k_families;
}

const FamilyInfo& family_info(Family f) {
    return k_families[static_cast<size_t>(f)];
}

const FamilyInfo* find_family(std::string_view name) {
    for (const FamilyInfo& f : k_families)
        if (name == f.name) return &f;
    return nullptr;
}

std::string family_names(unsigned key) {
    std::vector<const char*> names;
    for (const FamilyInfo& f : k_families)
        if (key == 0 || (f.keys_accepted & key)) names.push_back(f.name);
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
        out += (i == 0                  ? ""
                : i + 1 == names.size() ? " or "
                                        : ", ") +
               std::string("\"") + names[i] + "\"";
    return out;
}

Family parse_family(std::string_view name) {
    if (const FamilyInfo* f = find_family(name)) return f->id;
    throw UsageError("unknown chain family \"" + std::string(name) + "\" (expected " +
                     family_names() + ")");
}

const char* family_name(Family f) {
    return family_info(f).name;
}

}  // namespace chainidx::chain
