// chainidx: index token balances from blockchains into PostgreSQL and keep them provably right.
// main only dispatches; the one place that turns errors into exit codes is here.
#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "cli/common.hpp"
#include "cli/logging.hpp"
#include "cli/parse_error.hpp"
#include "core/alert/webhook.hpp"
#include "core/metrics/metrics.hpp"
#include "core/model/errors.hpp"
#include "core/model/secrets.hpp"
#include "core/pipeline/stop.hpp"
#include "core/store/privilege_error.hpp"

namespace {

// First SIGINT/SIGTERM: stop after the batch in flight. Second: leave at once (the open
// transaction is rolled back by PostgreSQL, so nothing partial is committed either way).
// After SIGINT/SIGTERM the run stops at the next batch boundary; a batch in flight that cannot
// finish within this time (a node that hangs) is abandoned: PostgreSQL rolls it back.
constexpr unsigned k_shutdown_timeout_s = 15;

void on_signal(int sig) {
    if (sig == SIGALRM) _exit(128 + chainidx::pipeline::stop_signal());
    if (chainidx::pipeline::stop_requested()) _exit(128 + sig);  // a second signal: now
    chainidx::pipeline::request_stop(sig);
    alarm(k_shutdown_timeout_s);
}

// The one place a failed run is reported: a JSON log line with --log-format json, else text.
// Never with a secret in it, whatever the message quotes (libpq, libcurl, a node).
void report_error(const chainidx::cli::GlobalOptions& g, const std::string& what) {
    const std::string shown = chainidx::secrets::scrub(what);
    if (g.log_format == "json" && spdlog::default_logger())
        spdlog::error("{}", shown);
    else
        std::cerr << "chainidx: error: " << shown << "\n";
}

// Set when --metrics-file was found unwritable before the run: not tried (and reported) again.
bool g_metrics_file_unwritable = false;

// Written at the end of every run that got as far as parsing, failed or not, so a timer's
// textfile collector always sees the last run. Every series is labelled with the command and the
// last-run gauges with the chain too: the scan and reconcile timers of several chains write
// files side by side, which node_exporter refuses to merge if two hold the same series. Returns
// false (and reports why) when it could not be written: a monitor would go on seeing the
// previous run.
bool write_metrics(const chainidx::cli::GlobalOptions& g, const CLI::App& app, int code) {
    if (g.metrics_file.empty() || g_metrics_file_unwritable) return true;
    const auto commands = app.get_subcommands();
    const CLI::App* command = commands.empty() ? nullptr : commands.front();
    const chainidx::metrics::Labels common{
        {"command", command ? command->get_name() : std::string("chainidx")}};
    chainidx::metrics::Labels run;
    if (const CLI::Option* chain = command ? command->get_option_no_throw("--chain") : nullptr;
        chain && chain->count())
        run.emplace_back("chain", chain->as<std::string>());
    auto& reg = chainidx::metrics::registry();
    reg.gauge("chainidx_last_run_exit_code", "Exit code of the last run", run).set(code);
    reg.gauge("chainidx_last_run_timestamp_seconds", "When the last run ended (Unix time)", run)
        .set(static_cast<double>(std::time(nullptr)));
    try {
        chainidx::metrics::write_file(g.metrics_file, common);
        return true;
    } catch (const std::exception& e) {
        report_error(g, std::string("metrics not written: ") + e.what());
        return false;
    }
}

// Before the run: a long backfill must not run for nothing because its metrics cannot land.
void check_metrics_file(const chainidx::cli::GlobalOptions& g) {
    if (g.metrics_file.empty()) return;
    try {
        chainidx::metrics::check_writable(g.metrics_file);
    } catch (const std::exception& e) {
        g_metrics_file_unwritable = true;
        throw chainidx::Error(std::string(e.what()) + " (checked before the run; nothing done)",
                              chainidx::k_exit_failure);
    }
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGALRM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace chainidx;
    // Answers of several MB are allocated and freed by every fetch worker. glibc raises its mmap
    // threshold after such frees, after which they come from per-thread arenas that keep the
    // memory: measured, 286 MB peak RSS instead of 119 MB on scripts/bench. A fixed threshold
    // hands large buffers back to the system when they are freed.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    CLI::App app{
        "chainidx " CHAINIDX_VERSION
        ": index token balances from blockchains into PostgreSQL and keep them provably right.\n"
        "Data goes to stdout, logs to stderr. Exit codes: 0 ok, 1 could not run, 2 bad usage or "
        "config, 3 drift found, 4 chain data contradicts the database, 130/143 interrupted.",
        "chainidx"};
    app.require_subcommand(1);
    app.fallthrough();  // global flags also work after the subcommand
    app.set_version_flag("--version", CHAINIDX_VERSION);
    cli::GlobalOptions global;
    cli::add_global_options(app, global);
    cli::register_migrate(app, global);
    cli::register_backfill(app, global);
    cli::register_scan(app, global);
    cli::register_status(app, global);
    cli::register_balances(app, global);
    cli::register_pipes(app, global);
    cli::register_reconcile(app, global);
    cli::register_replay(app, global);
    cli::register_rollback(app, global);
    cli::register_dlq(app, global);
    cli::register_config(app, global);
    cli::register_grants(app, global);
    // Logging must be set up before a subcommand's callback runs.
    app.parse_complete_callback([&] {
        cli::setup_logging(global.log_level, global.log_format);
        check_metrics_file(global);
        alert::notifier().configure(
            {global.alert_webhook,
             cli::option_origin("--alert-webhook", "CHAINIDX_ALERT_WEBHOOK", argc, argv),
             global.alert_cooldown_s, global.alert_reorg_depth});
    });
    // A run that could not finish is worth an alert (bad usage is not: a person is watching).
    auto alert_failure = [&](const std::string& what, int code) {
        std::string command = app.get_subcommands().empty()
                                  ? std::string("chainidx")
                                  : app.get_subcommands().front()->get_name();
        alert::notifier().send(
            {"failure",
             "",
             command,
             "chainidx " + command + " failed (exit " + std::to_string(code) + "): " + what,
             {{"command", command}, {"exit_code", code}, {"error", what}}});
    };
    install_signal_handlers();
    try {
        app.parse(argc, argv);
        const int code = cli::exit_code();
        // A run that did its work but could not leave its metrics failed for the monitor.
        if (!write_metrics(global, app, code) && code == 0) return k_exit_failure;
        return code;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Parse errors come before logging is set up: always plain text, naming flags but never
        // the values typed (URLs with keys, passwords).
        std::cerr << "chainidx: error: " << cli::describe_parse_error(app, e, argc, argv) << "\n"
                  << "Run with --help for usage.\n";
        return k_exit_usage;
    } catch (const Error& e) {
        report_error(global, e.what());
        if (e.exit_code() != k_exit_usage) alert_failure(e.what(), e.exit_code());
        write_metrics(global, app, e.exit_code());
        return e.exit_code();
    } catch (const std::exception& e) {
        const std::string what = store::privilege_error(e).value_or(e.what());
        report_error(global, what);
        alert_failure(what, k_exit_failure);
        write_metrics(global, app, k_exit_failure);
        return k_exit_failure;
    }
}
