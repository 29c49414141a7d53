// The family registry: one row per chain family. A new family is its folder under chain/ (an
// adapter, a normalizer, a <family>_family.cpp) and one row here; see ARCHITECTURE.md.
#include "core/chain/bitcoin/bitcoin_family.hpp"
#include "core/chain/evm/evm_family.hpp"
#include "core/chain/family.hpp"
#include "core/chain/solana/solana_family.hpp"
#include "core/model/errors.hpp"

namespace chainidx::chain {

namespace {

constexpr FamilyInfo k_families[] = {
    {.id = Family::evm,
     .name = "evm",
     .item_noun = "Transfer logs",
     .keys_accepted = k_key_tokens,
     .needs_chain_id = true,
     .answer_hold = 2.65,
     .keys = evm::keys,
     .apply_defaults = evm::apply_defaults,
     .make_adapter = evm::new_adapter},
    {.id = Family::bitcoin,
     .name = "bitcoin",
     .item_noun = "balance changes",
     .keys_accepted = k_key_genesis_hash,
     .needs_chain_id = false,
     .answer_hold = 2.75,
     .keys = bitcoin::keys,
     .apply_defaults = bitcoin::apply_defaults,
     .make_adapter = bitcoin::new_adapter},
    {.id = Family::solana,
     .name = "solana",
     .item_noun = "balance changes",
     .keys_accepted = k_key_commitment | k_key_genesis_hash,
     .needs_chain_id = false,
     .answer_hold = 3.25,
     .keys = solana::keys,
     .apply_defaults = solana::apply_defaults,
     .make_adapter = solana::new_adapter},
};

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
