// libFuzzer target: one raw-block NDJSON line (`normalize`'s input) of the chain family
// CHAINIDX_FUZZ_FAMILY (evm, bitcoin or solana; one executable each), normalized by that
// family's adapter (make_adapter(...)->normalize_raw, no node needed). What it accepts must be
// one block whose events belong to it; and what `normalize` (pipeline::normalize_stream) writes
// of it must pass through `ingest`'s reader (parse_event_record) unchanged.
#include <sstream>
#include <string>

#include "core/chain/adapter.hpp"
#include "core/chain/keys.hpp"
#include "core/pipeline/ndjson.hpp"
#include "core/pipeline/stream.hpp"
#include "fuzz_support.hpp"

#ifndef CHAINIDX_FUZZ_FAMILY
#error "CHAINIDX_FUZZ_FAMILY must name a chain family"
#endif

using namespace chainidx;

namespace {

// The chain is named after its family ("evm": "ethereum"), as in the seeds.
const config::ChainConfig& chain_config() {
    static const config::ChainConfig c = [] {
        const chain::FamilyInfo& family =
            chain::family_info(chain::parse_family(CHAINIDX_FUZZ_FAMILY));
        config::ChainConfig cc;
        cc.family.value = family.id;
        cc.name = family.id == chain::Family::evm ? "ethereum" : family.name;
        cc.chain_id.value = family.needs_chain_id ? 1 : 0;
        cc.rpc.value = {"http://127.0.0.1:1"};  // never called: the client is made on first use
        cc.finality.value = "tags";
        family.apply_defaults(cc);  // (bitcoin: finality by depth)
        cc.batch_blocks.value = 20;
        cc.commitment.value = "confirmed";
        return cc;
    }();
    return c;
}

void reads_back(const std::string& line, const chain::KeyFormat& keys) {
    const std::string& chain = chain_config().name;
    static const std::string source = "events";
    std::string again;
    fuzz::check(
        fuzz::accepts([&] {
            const pipeline::ParsedRecord r =
                pipeline::parse_event_record(line, chain, keys, ndjson::Where{source, 1});
            again = r.is_block ? pipeline::block_line(chain, keys, r.header)
                               : pipeline::event_line(chain, keys, r.event);
        }),
        "normalize wrote a record that ingest rejects (" + fuzz::last_error() + "): " + line);
    fuzz::check(again == line,
                "a normalized record changes when ingest reads it:\n  " + line + "\n  " + again);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::unique_ptr<chain::ChainAdapter> adapter = chain::make_adapter(chain_config());
    static const std::string source = "raw";
    const std::string text = fuzz::text_of(data, size);
    chain::Fetched f;
    if (!fuzz::accepts([&] { f = adapter->normalize_raw(text, ndjson::Where{source, 1}); }))
        return 0;
    fuzz::check(f.headers.size() == 1,
                "a raw line gave " + std::to_string(f.headers.size()) + " headers, not one");
    const BlockHeader& h = f.headers.front();
    fuzz::check(f.from == h.number && f.to == h.number, "from/to differ from the block's number");
    for (const BalanceEvent& e : f.events)
        fuzz::check(e.block_number == h.number && e.block_hash == h.hash,
                    "an event of another block than the line's");
    // `normalize` of the same text (it refuses what a pipe cannot carry: dead letters, Bitcoin
    // inputs without prevouts): what it writes, `ingest` must read back unchanged.
    std::istringstream in(text);
    std::ostringstream out;
    if (!fuzz::accepts([&] { (void)pipeline::normalize_stream(chain_config(), in, source, out); }))
        return 0;
    const chain::KeyFormat keys(chain_config().family.value);
    std::istringstream events(out.str());
    for (std::string line; std::getline(events, line);) reads_back(line, keys);
    return 0;
}
