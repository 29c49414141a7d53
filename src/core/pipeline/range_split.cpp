#include "core/pipeline/range_split.hpp"

#include <algorithm>
#include <iterator>

#include "core/model/errors.hpp"

namespace chainidx::pipeline {

uint64_t last_block_within(const chain::Fetched& span, size_t room) {
    // Events are in block order: the block of the first event that does not fit ends the front.
    if (span.events.size() <= room) return span.to;
    const uint64_t over = span.events[room].block_number;
    return over > span.from ? over - 1 : span.from;
}

namespace {
// Moves the elements of `v` for which `front` holds (a prefix, as all are in block order) into
// `out`.
template <class T, class Pred>
void move_prefix(std::vector<T>& v, std::vector<T>& out, Pred front) {
    auto end = std::find_if_not(v.begin(), v.end(), front);
    out.assign(std::make_move_iterator(v.begin()), std::make_move_iterator(end));
    v.erase(v.begin(), end);
}
}  // namespace

chain::Fetched split_front(chain::Fetched& span, uint64_t last) {
    if (last < span.from || last >= span.to)
        throw Error("split_front: block " + std::to_string(last) + " is not inside " +
                    std::to_string(span.from) + ".." + std::to_string(span.to));
    chain::Fetched front;
    front.from = span.from;
    front.to = last;
    const size_t blocks = last - span.from + 1;
    front.headers.assign(span.headers.begin(), span.headers.begin() + blocks);
    span.headers.erase(span.headers.begin(), span.headers.begin() + blocks);
    if (!span.raw.empty()) {
        front.raw.assign(std::make_move_iterator(span.raw.begin()),
                         std::make_move_iterator(span.raw.begin() + blocks));
        span.raw.erase(span.raw.begin(), span.raw.begin() + blocks);
    }
    move_prefix(span.events, front.events,
                [&](const BalanceEvent& e) { return e.block_number <= last; });
    move_prefix(span.created, front.created, [&](const Utxo& u) { return u.block <= last; });
    move_prefix(span.spent, front.spent, [&](const Spend& s) { return s.block <= last; });
    move_prefix(span.rejected, front.rejected,
                [&](const chain::Rejected& r) { return r.block_number <= last; });
    // The back part's unresolved inputs point into its own events now.
    for (Spend& s : span.spent)
        if (s.unresolved_event) *s.unresolved_event -= front.events.size();
    front.stats = span.stats;
    span.stats = {};
    span.from = last + 1;
    return front;
}

}  // namespace chainidx::pipeline
