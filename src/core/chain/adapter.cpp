#include "core/chain/adapter.hpp"

#include "core/chain/bitcoin/bitcoin_adapter.hpp"
#include "core/chain/evm/evm_adapter.hpp"
#include "core/chain/keys.hpp"
#include "core/chain/solana/solana_adapter.hpp"
#include "core/model/errors.hpp"

namespace chainidx::chain {

NormalizeStats& NormalizeStats::operator+=(const NormalizeStats& o) {
    transfers += o.transfers;
    erc721 += o.erc721;
    malformed += o.malformed;
    other_topic += o.other_topic;
    return *this;
}

std::unique_ptr<ChainAdapter> make_adapter(const config::ChainConfig& chain) {
    switch (parse_family(chain.family.value)) {
        case Family::evm:
            return std::make_unique<evm::EvmAdapter>(chain);
        case Family::bitcoin:
            return std::make_unique<bitcoin::BitcoinAdapter>(chain);
        case Family::solana:
            return std::make_unique<solana::SolanaAdapter>(chain);
    }
    throw UsageError("chain " + chain.name + ": family \"" + chain.family.value +
                     "\" is not implemented yet");
}

}  // namespace chainidx::chain
