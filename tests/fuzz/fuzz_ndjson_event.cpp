// libFuzzer target: one line of the NDJSON event stream (`ingest`'s input), read with each
// family's identifier format by pipeline::parse_event_record. A record it accepts must write
// back (block_line / event_line) to a line that reads back to the same bytes.
#include <string>

#include "core/chain/keys.hpp"
#include "core/pipeline/ndjson.hpp"
#include "fuzz_support.hpp"

using namespace chainidx;

namespace {

std::string write(const std::string& chain, const chain::KeyFormat& keys,
                  const pipeline::ParsedRecord& r) {
    return r.is_block ? pipeline::block_line(chain, keys, r.header)
                      : pipeline::event_line(chain, keys, r.event);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text = fuzz::text_of(data, size);
    static const std::string source = "fuzz";
    const ndjson::Where where{source, 1};
    struct Family {
        chain::Family family;
        const char* chain;
    };
    for (const Family& f : {Family{chain::Family::evm, "ethereum"},
                            Family{chain::Family::bitcoin, "bitcoin"},
                            Family{chain::Family::solana, "solana"}}) {
        const chain::KeyFormat keys(f.family);
        pipeline::ParsedRecord rec;
        if (!fuzz::accepts([&] { rec = pipeline::parse_event_record(text, f.chain, keys, where); }))
            continue;
        std::string line, again;
        fuzz::check(fuzz::accepts([&] { line = write(f.chain, keys, rec); }),
                    std::string("an accepted record cannot be written (") + f.chain + ")");
        fuzz::check(fuzz::accepts([&] {
                        again = write(f.chain, keys,
                                      pipeline::parse_event_record(line, f.chain, keys, where));
                    }),
                    std::string("a written record does not read back (") + f.chain + ", " +
                        fuzz::last_error() + "): " + line);
        fuzz::check(line == again, std::string("a record changes on a round trip (") + f.chain +
                                       "):\n  " + line + "\n  " + again);
    }
    return 0;
}
