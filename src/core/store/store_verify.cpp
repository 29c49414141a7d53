// status --verify: do the stored blocks and events of a chain hang together?
#include <algorithm>

#include "core/store/store_impl.hpp"

namespace chainidx::store {

namespace {

struct Range {
    int64_t from, to;  // inclusive; empty when from > to
};

std::string span(int64_t a, int64_t b) {
    return a == b ? "block " + std::to_string(a)
                  : "blocks " + std::to_string(a) + ".." + std::to_string(b);
}

// The parts of `r` outside every range of `cover` (sorted by from, merged).
std::vector<Range> uncovered(Range r, const std::vector<Range>& cover) {
    std::vector<Range> out;
    int64_t at = r.from;
    for (const Range& c : cover) {
        if (c.to < at) continue;
        if (c.from > r.to) break;
        if (c.from > at) out.push_back({at, c.from - 1});
        at = std::max(at, c.to + 1);
        if (at > r.to) return out;
    }
    if (at <= r.to) out.push_back({at, r.to});
    return out;
}

std::vector<Range> merged(std::vector<Range> v) {
    std::sort(v.begin(), v.end(), [](const Range& a, const Range& b) { return a.from < b.from; });
    std::vector<Range> out;
    for (const Range& r : v) {
        if (r.from > r.to) continue;
        if (!out.empty() && r.from <= out.back().to + 1)
            out.back().to = std::max(out.back().to, r.to);
        else
            out.push_back(r);
    }
    return out;
}

}  // namespace

ContinuityReport Store::verify_continuity(const std::string& chain) {
    pqxx::read_transaction tx(*m_impl->conn);
    ContinuityReport report;
    auto& problems = report.problems;

    std::vector<Range> runs;
    for (auto row : tx.exec_params(
             "SELECT min(number), max(number) FROM (SELECT number, number - row_number() OVER "
             "(ORDER BY number) AS grp FROM blocks WHERE chain = $1) t GROUP BY grp ORDER BY 1",
             chain)) {
        runs.push_back({row[0].as<int64_t>(), row[1].as<int64_t>()});
        report.runs.push_back({row[0].as<uint64_t>(), row[1].as<uint64_t>()});
    }

    // Every block of a run names the stored block below it as its parent.
    for (auto row :
         tx.exec_params("SELECT b.number FROM blocks b JOIN blocks p ON p.chain = b.chain AND "
                        "p.number = b.number - 1 WHERE b.chain = $1 AND b.parent_hash <> p.hash "
                        "ORDER BY 1 LIMIT 5",
                        chain))
        problems.push_back("block " + row[0].as<std::string>() +
                           " does not link to the stored block below it (its parent hash differs)");

    // The live run: from wherever it starts up to the watermark, which must be stored as recorded.
    std::optional<Range> live;
    auto wm = tx.exec_params(
        "SELECT w.block_number, b.hash = w.block_hash FROM watermarks w LEFT JOIN blocks b ON "
        "b.chain = w.chain AND b.number = w.block_number WHERE w.chain = $1",
        chain);
    if (!wm.empty()) {
        const auto mark = wm[0][0].as<int64_t>();
        if (wm[0][1].is_null())
            problems.push_back("the watermark block " + std::to_string(mark) + " is not stored");
        else if (!wm[0][1].as<bool>())
            problems.push_back("the watermark block " + std::to_string(mark) +
                               " is stored with another hash than the watermark's");
        for (const Range& r : runs)
            if (r.from <= mark && mark <= r.to) live = Range{r.from, mark};
    } else if (!runs.empty()) {
        problems.push_back("blocks are stored but the chain has no watermark");
    }

    // What the backfills say they did must be stored, without holes.
    std::vector<Range> done;
    for (auto row :
         tx.exec_params("SELECT from_block, LEAST(to_block, next_block - 1) FROM backfill_jobs "
                        "WHERE chain = $1 AND next_block > from_block ORDER BY 1",
                        chain)) {
        Range d{row[0].as<int64_t>(), row[1].as<int64_t>()};
        done.push_back(d);
        auto holes = uncovered(d, merged(runs));
        if (!holes.empty())
            problems.push_back(
                "backfill " + std::to_string(d.from) + ".." + std::to_string(row[1].as<int64_t>()) +
                " is recorded as done up to " + std::to_string(d.to) + ", but " +
                span(holes.front().from, holes.front().to) + " are not stored" +
                (holes.size() > 1 ? " (and " + std::to_string(holes.size() - 1) + " more gaps)"
                                  : ""));
    }

    // Every stored block is explained: the live run, or a backfill's done range.
    std::vector<Range> explained = done;
    if (live) explained.push_back(*live);
    explained = merged(explained);
    for (const Range& r : runs)
        for (const Range& u : uncovered(r, explained))
            problems.push_back(span(u.from, u.to) +
                               " are stored, but neither lead up to the watermark nor belong to "
                               "a recorded backfill (a writer went on after its parent block was "
                               "removed?)");

    // Every event belongs to a stored block with its hash.
    auto orphans = tx.exec_params(
        "SELECT count(*), min(e.block_number) FROM balance_events e LEFT JOIN blocks b ON "
        "b.chain = e.chain AND b.number = e.block_number WHERE e.chain = $1 AND "
        "(b.number IS NULL OR b.hash <> e.block_hash)",
        chain);
    if (orphans[0][0].as<int64_t>() > 0)
        problems.push_back(
            orphans[0][0].as<std::string>() +
            " events belong to no stored block with their hash (the first in block " +
            orphans[0][1].as<std::string>() + ")");
    return report;
}

}  // namespace chainidx::store
