#include "cli/common.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <iostream>

#include "cli/logging.hpp"
#include "core/model/errors.hpp"
#include "core/rpc/url.hpp"
#include "core/store/database_url.hpp"

namespace chainidx::cli {

int& exit_code() {
    static int code = 0;
    return code;
}

void check_decimal(const std::string& flag, std::string& text, const NumberLimits& limits) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw FlagError(flag + " must be a non-negative decimal integer (got " +
                        (text.empty() ? std::string("nothing") : text) + ")");
    // "010" is ten: without its leading zeros CLI11's conversion cannot take it for octal.
    const size_t first = std::min(text.find_first_not_of('0'), text.size() - 1);
    text.erase(0, first);
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size() && v < limits.min)
        throw FlagError(flag + " must be at least " + std::to_string(limits.min) + " (got " + text +
                        ")");
    if (ec != std::errc() || end != text.data() + text.size() || v > limits.max)
        throw FlagError(flag + " must be at most " + std::to_string(limits.max) +
                        (limits.max_reason ? std::string(", ") + limits.max_reason : "") +
                        " (got " + text + ")");
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
    app.add_option("--config", g.config_file,
                   "Config file (default: ./chainidx.toml, then "
                   "$XDG_CONFIG_HOME/chainidx/config.toml)")
        ->option_text("FILE")
        ->envname("CHAINIDX_CONFIG");
    app.add_option("--db", g.database_url,
                   "PostgreSQL URL, e.g. postgres://user:pass@host/db, or key=value pairs "
                   "(host=… dbname=…) (default: $CHAINIDX_DATABASE_URL, then [database] url)")
        ->option_text("URL");
    app.add_option("--log-level", g.log_level, "debug, info (default), warn or error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
        ->option_text("LEVEL");
    app.add_option("--metrics-file", g.metrics_file,
                   "Write Prometheus metrics here at the end of the run, atomically (for the "
                   "node_exporter textfile collector)")
        ->option_text("PATH");
    app.add_option("--ca-file", g.ca_file,
                   "Verify the RPC endpoints' TLS certificates against the CAs in this PEM file "
                   "(private CAs; default: the system's CA store, or each chain's ca_file)")
        ->option_text("PATH")
        ->envname("CHAINIDX_CA_FILE");
    app.add_option("--alert-webhook", g.alert_webhook,
                   "POST a JSON alert here on deep reorgs, drift found by reconcile and failed "
                   "runs (Slack-style \"text\" field included)")
        ->option_text("URL")
        ->envname("CHAINIDX_ALERT_WEBHOOK");
    add_number(&app, "--alert-cooldown", g.alert_cooldown_s,
               "Send the same alert (kind, chain, subject) at most once per this many seconds "
               "(default 600)")
        ->option_text("SECONDS");
    add_number(&app, "--alert-reorg-depth", g.alert_reorg_depth,
               "Alert on reorgs at least this many blocks deep (default 3)")
        ->option_text("N");
    app.add_option("--log-format", g.log_format,
                   "text (for people) or json (one object per line with run id and chain)")
        ->check(CLI::IsMember({"text", "json"}))
        ->option_text("FORMAT");
}

void add_output_option(CLI::App* sub, Output& out, bool with_ndjson) {
    std::map<std::string, Output> names{{"table", Output::table}, {"json", Output::json}};
    if (with_ndjson) names["ndjson"] = Output::ndjson;
    sub->add_option("--output,-o", out,
                    std::string("Output format: table (default), json") +
                        (with_ndjson ? " or ndjson (one object per line)" : ""))
        ->transform(CLI::CheckedTransformer(names, CLI::ignore_case))
        ->option_text("FORMAT");
}

CLI::Option* check_chain_name(CLI::Option* opt) {
    const std::string flag = opt->get_name();
    return opt->check(CLI::Validator(
        [flag](std::string& name) {
            if (std::string problem = config::chain_name_problem(name); !problem.empty())
                throw FlagError(flag + " " + problem);
            return std::string();
        },
        "", ""));
}

void add_chain_option(CLI::App* sub, ChainFlags& flags, bool with_rpc) {
    check_chain_name(sub->add_option("--chain", flags.chain,
                                     "Chain name: a [chains.NAME] table of the config, or one of "
                                     "ethereum, base, polygon, arbitrum, bsc"))
        ->required()
        ->option_text("NAME");
    if (with_rpc)
        sub->add_option("--rpc", flags.rpc,
                        "RPC endpoint(s) for this chain, overriding the config and "
                        "CHAINIDX_<CHAIN>_RPC")
            ->option_text("URL")
            ->delimiter(',');
}

void add_quarantine_option(CLI::App* sub, ChainFlags& flags) {
    sub->add_option("--quarantine-token", flags.quarantine_tokens,
                    "Go on past items of this token that cannot be normalized: they are kept as "
                    "dead letters and its balances are marked untrusted (repeatable; persists "
                    "for the chain). Without it the chain stops at such an item")
        ->option_text("TOKEN");
}

std::vector<Key> quarantine_tokens(const config::ChainConfig& chain, const ChainFlags& flags) {
    const chain::KeyFormat keys(chain.family.value);
    std::vector<Key> out;
    for (const std::string& t : flags.quarantine_tokens)
        out.push_back(keys.parse_token(t, "--quarantine-token"));
    return out;
}

config::Config load_config(const GlobalOptions& g, const ChainFlags* chain) {
    config::Overrides o;
    if (!g.config_file.empty()) o.config_file = g.config_file;
    if (!g.database_url.empty()) o.database_url = g.database_url;
    if (!g.ca_file.empty()) o.ca_file = g.ca_file;
    if (chain) {
        set_log_chain(chain->chain);
        o.chain = chain->chain;
        o.rpc = chain->rpc;
        o.batch_blocks = chain->batch_blocks;
    }
    config::Config config = config::load(o);
    // Connection strings are checked, and their secrets remembered, before anything can print
    // them; a bad one is an error once it is used, one given as a flag at once.
    store::check_database_url(config);
    rpc::check_endpoint_urls(config);
    if (!g.database_url.empty() && !config.database_url_unresolved.empty())
        throw UsageError(config.database_url_unresolved);
    if (chain && !chain->rpc.empty() && config.chains.count(chain->chain) &&
        !config.chains.at(chain->chain).rpc_unresolved.empty())
        throw UsageError(config.chains.at(chain->chain).rpc_unresolved);
    return config;
}

std::unique_ptr<store::Store> open_store(const config::Config& config, const std::string& what,
                                         bool require_schema) {
    auto s = std::make_unique<store::Store>(config.require_database_url(), "chainidx " + what);
    if (require_schema) s->require_current_schema();
    return s;
}

void require_known_chain(const config::Config& config, store::Store& store,
                         const std::string& chain) {
    if (config.chains.count(chain)) return;
    const std::vector<std::string> indexed = store.chain_names();
    if (std::find(indexed.begin(), indexed.end(), chain) != indexed.end()) return;
    auto list = [](const std::vector<std::string>& names) {
        std::string s;
        for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
        return s.empty() ? std::string("none") : s;
    };
    std::vector<std::string> configured;
    for (const auto& [name, _] : config.chains) configured.push_back(name);
    throw UsageError("unknown chain \"" + chain + "\" (configured: " + list(configured) +
                     "; indexed: " + list(indexed) + ")");
}

chain::KeyFormat key_format(const config::Config& config, store::Store* store,
                            const std::string& chain) {
    auto it = config.chains.find(chain);
    if (it != config.chains.end()) return chain::KeyFormat(it->second.family.value);
    return chain::KeyFormat(store ? store->chain_family(chain).value_or("evm") : "evm");
}

void print_rows(Output out, const std::vector<std::string>& columns,
                const std::vector<nlohmann::ordered_json>& rows) {
    if (out == Output::json) {
        std::cout << nlohmann::ordered_json(rows).dump(2) << "\n";
        return;
    }
    if (out == Output::ndjson) {
        for (const auto& r : rows) std::cout << r.dump() << "\n";
        return;
    }
    auto text = [](const nlohmann::ordered_json& v) {
        if (v.is_string()) return v.get<std::string>();
        if (v.is_null()) return std::string("-");
        return v.dump();
    };
    std::vector<size_t> width(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) width[i] = columns[i].size();
    for (const auto& r : rows)
        for (size_t i = 0; i < columns.size(); ++i)
            width[i] =
                std::max(width[i], text(r.value(columns[i], nlohmann::ordered_json())).size());
    auto line = [&](auto cell) {
        std::string s;
        for (size_t i = 0; i < columns.size(); ++i) {
            std::string c = cell(i);
            s += c;
            if (i + 1 < columns.size()) s += std::string(width[i] - c.size() + 2, ' ');
        }
        std::cout << s << "\n";
    };
    line([&](size_t i) { return columns[i]; });
    for (const auto& r : rows)
        line([&](size_t i) { return text(r.value(columns[i], nlohmann::ordered_json())); });
}

int exit_code_for_signal(int signal_number) {
    return signal_number == 0 ? 0 : 128 + signal_number;
}

}  // namespace chainidx::cli
