#include "core/reconcile/reconcile.hpp"

#include <map>
#include <set>

#include "core/alert/webhook.hpp"
#include "core/chain/adapter.hpp"
#include "core/chain/keys.hpp"
#include "core/metrics/metrics.hpp"
#include "core/model/errors.hpp"
#include "core/store/store.hpp"

namespace chainidx::reconcile {

namespace {

// What a drift most likely is, from what the numbers alone can tell.
std::string classify(const std::optional<Amount>& on_chain, const Amount& indexed,
                     bool token_fails_everywhere, bool node_ahead,
                     const chain::ChainAdapter& adapter) {
    if (node_ahead)
        return "node_ahead: the node answers only at its head, which is past the compared block; "
               "index up to the node's head and reconcile again";
    if (!on_chain) return adapter.why_no_balance(token_fails_everywhere);
    if (indexed.is_negative())
        return "negative_indexed: history before the indexed range is missing (backfill from "
               "the token's deployment)";
    if (indexed < *on_chain)
        return "chain_higher: balance grew without a Transfer (rebasing, reflection or "
               "interest-bearing token) or Transfer events are missing";
    return "chain_lower: balance shrank without a Transfer (fee or rebasing token) or extra "
           "events were indexed";
}

// What a timer's --metrics-file carries for the alert rules (packaging/monitoring/): how many
// pairs disagreed, of each kind, at which block, and when.
void record_metrics(const Report& r) {
    auto& reg = metrics::registry();
    const metrics::Labels chain{{"chain", r.chain}};
    reg.gauge("chainidx_reconcile_pairs_checked", "Pairs compared by the last reconcile", chain)
        .set(static_cast<double>(r.pairs_checked));
    const char* mismatches =
        "Pairs that disagreed in the last reconcile (chain_balance: with "
        "the chain's own balance; sum_of_events: with the sum of its events)";
    reg.gauge("chainidx_reconcile_mismatches", mismatches,
              {{"chain", r.chain}, {"kind", "chain_balance"}})
        .set(static_cast<double>(r.drifts.size()));
    reg.gauge("chainidx_reconcile_mismatches", mismatches,
              {{"chain", r.chain}, {"kind", "sum_of_events"}})
        .set(static_cast<double>(r.sum_mismatches.size()));
    reg.gauge("chainidx_reconcile_block", "The block the last reconcile compared at", chain)
        .set(static_cast<double>(r.block));
}

}  // namespace

Report run(const config::ChainConfig& chain, store::Store& store, const Options& o) {
    store::ChainState state = store.chain_state(chain.name);
    if (!state.watermark)
        throw UsageError("chain " + chain.name +
                         " has nothing indexed yet; run backfill or scan "
                         "first");
    Report report;
    report.chain = chain.name;
    report.block = *state.watermark;
    if (o.at == Finality::finalized) report.block = state.finalized_block;
    if (o.at == Finality::safe) report.block = state.safe_block;
    if (o.block) {
        if (*o.block > *state.watermark)
            throw UsageError("--block " + std::to_string(*o.block) + " is above the watermark " +
                             std::to_string(*state.watermark) + " of " + chain.name +
                             ": balances there are not indexed yet");
        report.block = *o.block;
    }

    std::vector<store::PairBalance> pairs =
        store.balances_at(chain.name, report.block, o.tokens, o.accounts, o.sample);
    std::vector<std::pair<Key, Key>> asks;
    asks.reserve(pairs.size());
    for (const auto& p : pairs) asks.emplace_back(p.token, p.account);
    const chain::KeyFormat keys(chain.family.value);
    auto adapter = chain::make_adapter(chain);
    adapter->verify();
    chain::OnChainBalances answer = adapter->balances(report.block, asks);
    const std::vector<std::optional<Amount>>& on_chain = answer.values;
    adapter->complete_balances(store, chain.name, report.block, asks, answer);
    report.source = answer.method;
    report.answered_at = answer.answered_at;
    const bool node_ahead = answer.answered_at != report.block;

    std::map<Key, std::pair<size_t, size_t>> calls_per_token;  // (failed, total)
    for (size_t i = 0; i < pairs.size(); ++i) {
        auto& c = calls_per_token[pairs[i].token];
        c.second++;
        if (!on_chain[i]) c.first++;
    }
    std::set<Key> untrusted;  // quarantined tokens: a drift there is expected
    for (const auto& q : store.quarantined_tokens(chain.name)) untrusted.insert(q.token);
    std::vector<store::ReconcileDiff> diffs;
    for (size_t i = 0; i < pairs.size(); ++i) {
        ++report.pairs_checked;
        const auto& p = pairs[i];
        if (on_chain[i] && *on_chain[i] == p.amount) {
            ++report.pairs_matching;
            continue;
        }
        auto counts = calls_per_token[p.token];
        std::string cls =
            untrusted.count(p.token)
                ? "quarantined: the token is quarantined, its items that could not be "
                  "normalized are missing (chainidx dlq list --status quarantined)"
                : classify(on_chain[i], p.amount, counts.first == counts.second, node_ahead,
                           *adapter);
        Drift d;
        d.token = keys.token(p.token);
        d.account = keys.account(p.account);
        d.indexed = p.amount.to_decimal();
        d.on_chain = on_chain[i] ? on_chain[i]->to_decimal() : "";
        d.difference = on_chain[i] ? (*on_chain[i] - p.amount).to_decimal() : "";
        d.classification = cls.substr(0, cls.find(':'));
        report.drifts.push_back(d);
        diffs.push_back({p.token, p.account, p.amount, on_chain[i], d.classification});
    }
    for (const auto& m : store.verify_balances(chain.name))
        report.sum_mismatches.push_back(
            {keys.token(m.token), keys.account(m.account), m.balance, m.sum_of_events});
    report.run_id =
        store.record_reconcile(chain.name, report.block, report.pairs_checked,
                               report.pairs_matching, report.sum_mismatches.size(), diffs);
    if (!report.clean())
        alert::notifier().send({"drift",
                                chain.name,
                                "",
                                chain.name + ": reconcile at block " +
                                    std::to_string(report.block) + " found " +
                                    std::to_string(report.drifts.size()) + " drifted pairs and " +
                                    std::to_string(report.sum_mismatches.size()) +
                                    " balances that differ from their events (run " +
                                    std::to_string(report.run_id) + ")",
                                {{"block", report.block},
                                 {"run_id", report.run_id},
                                 {"pairs_checked", report.pairs_checked},
                                 {"pairs_drifted", report.drifts.size()},
                                 {"sum_mismatches", report.sum_mismatches.size()}}});
    record_metrics(report);
    return report;
}

}  // namespace chainidx::reconcile
