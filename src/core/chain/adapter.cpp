#include "core/chain/adapter.hpp"

#include "core/chain/family.hpp"

namespace chainidx::chain {

NormalizeStats& NormalizeStats::operator+=(const NormalizeStats& o) {
    transfers += o.transfers;
    erc721 += o.erc721;
    malformed += o.malformed;
    other_topic += o.other_topic;
    return *this;
}

std::unique_ptr<ChainAdapter> make_adapter(const config::ChainConfig& chain) {
    return family_info(chain.family.value).make_adapter(chain);
}

}  // namespace chainidx::chain
