// chainidx scan --chain NAME --once | --follow [--from-head]
#include <spdlog/spdlog.h>

#include "cli/common.hpp"
#include "core/metrics/http_server.hpp"
#include "core/model/errors.hpp"
#include "core/pipeline/engine.hpp"
#include "core/pipeline/stop.hpp"

namespace chainidx::cli {

namespace {

struct ScanOptions {
    ChainFlags chain;
    bool once = false;
    bool follow = false;
    bool wait = false;
    bool from_head = false;
    std::string metrics_addr;
};

void run_scan(const ScanOptions& o, const GlobalOptions& g) {
    auto config = load_config(g, &o.chain);
    const auto& chain = config.chain(o.chain.chain);
    auto store = open_store(config, "scan " + chain.name);
    // Scrapeable for as long as the scan runs (a timer run uses --metrics-file instead).
    std::unique_ptr<metrics::HttpServer> metrics_server;
    if (!o.metrics_addr.empty()) {
        try {
            metrics_server = std::make_unique<metrics::HttpServer>(o.metrics_addr);
        } catch (const std::exception& e) {
            throw UsageError(std::string("--metrics-addr: ") + e.what());
        }
        spdlog::info("scan {}: metrics at http://{}/metrics", chain.name, o.metrics_addr);
    }
    std::string holder;
    bool said = false;
    while (!store->try_lock_follower(chain.name, holder)) {
        if (!o.wait)
            throw Error("chain " + chain.name + " is already being scanned by " + holder +
                        "; only one scan per chain may run (--wait waits for it)");
        if (!said) spdlog::info("scan {}: waiting for {} to finish", chain.name, holder);
        said = true;
        if (!pipeline::sleep_unless_stopped(1000)) {
            exit_code() = exit_code_for_signal(pipeline::stop_signal());
            return;
        }
    }
    pipeline::Engine engine(chain, *store);
    engine.quarantine(quarantine_tokens(chain, o.chain));
    auto r = engine.scan(o.follow, o.from_head);
    if (r.blocks == 0 && r.watermark && !r.stopped_by_signal)
        spdlog::info(
            "scan {}: nothing to do: the watermark {} is at the target {}{}", chain.name,
            *r.watermark, r.target,
            chain.confirmations.value
                ? " (the head less " + std::to_string(chain.confirmations.value) + " confirmations)"
                : std::string(" (the head)"));
    else if (r.blocks == 0)
        spdlog::info("scan {}: no block committed{}", chain.name,
                     r.stopped_by_signal ? " (stopped by a signal)" : "");
    else
        spdlog::info("scan {}: {} blocks up to {}, {} {}, {} events new, {} reorgs, {:.2f}s",
                     chain.name, r.blocks, r.last_block, r.transfers,
                     chain::family_info(chain.family.value).item_noun, r.events_inserted, r.reorgs,
                     r.seconds);
    exit_code() = exit_code_for_signal(r.stopped_by_signal);
}

}  // namespace

void register_scan(CLI::App& app, GlobalOptions& g) {
    auto o = std::make_shared<ScanOptions>();
    auto* cmd = app.add_subcommand(
        "scan",
        "Follow a chain from its watermark to the head (less `confirmations`), checking parent "
        "hashes and unwinding reorgs inside the unfinalized window.\n"
        "The first scan of a chain starts at its start_block; index history with `chainidx "
        "backfill` first, or pass --from-head to start at the head.\n"
        "Examples: chainidx scan --chain ethereum --once      # catch up and exit (timers)\n"
        "          chainidx scan --chain ethereum --follow    # keep following; SIGTERM stops");
    add_chain_option(cmd, o->chain);
    add_quarantine_option(cmd, o->chain);
    auto* once = cmd->add_flag("--once", o->once, "Catch up to the head, then exit");
    auto* follow = cmd->add_flag("--follow", o->follow, "Keep following the head until stopped");
    once->excludes(follow);
    cmd->add_flag("--from-head", o->from_head,
                  "When nothing is indexed and no start_block is set, start at the head less "
                  "confirmations (balances are then relative to that block); without it such a "
                  "scan is refused");
    cmd->add_flag("--wait", o->wait,
                  "If another scan of this chain runs, wait for it to end instead of exiting");
    cmd->add_option("--metrics-addr", o->metrics_addr,
                    "Serve Prometheus metrics at http://ADDR/metrics while the scan runs "
                    "(e.g. 127.0.0.1:9464)")
        ->check(CLI::Validator(
            [](std::string& address) {
                try {
                    metrics::parse_listen_address(address);
                } catch (const std::invalid_argument& e) {
                    throw FlagError(std::string("--metrics-addr ") + e.what());
                }
                return std::string();
            },
            "", ""))
        ->option_text("HOST:PORT");
    cmd->callback([o, &g] {
        if (!o->once && !o->follow) throw UsageError("scan needs --once or --follow");
        run_scan(*o, g);
    });
}

}  // namespace chainidx::cli
