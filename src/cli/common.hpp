#pragma once
// What every subcommand shares: the global flags, loading the merged config, opening the store,
// and printing data in the chosen --output format. No SQL, JSON-RPC or arithmetic here.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/chain/keys.hpp"
#include "core/config/config.hpp"
#include "core/store/store.hpp"

namespace chainidx::cli {

struct GlobalOptions {
    std::string config_file;
    std::string database_url;
    std::string log_level = "info";
    std::string log_format = "text";
    std::string metrics_file;
    std::string ca_file;
    std::string alert_webhook;
    uint64_t alert_cooldown_s = 600;
    uint64_t alert_reorg_depth = 3;
};

enum class Output { table, json, ndjson };

// A flag's value refused by a check of ours: a usage error (exit 2) whose message is the whole
// sentence ("--from must be …"). CLI11 prefixes its own ValidationError with the option name.
class FlagError : public CLI::ParseError {
  public:
    explicit FlagError(std::string msg)
        : CLI::ParseError("FlagError", std::move(msg), CLI::ExitCodes::ValidationError) {}
};

// Every numeric flag (block numbers, counts, seconds) is read by add_number: plain decimal
// digits only. No sign, no 0x/0o/0b prefix, and a leading zero is not octal ("010" is ten);
// CLI11 on its own guesses the base and wraps -1 to 2^64-1.
struct NumberLimits {
    uint64_t min = 0;
    uint64_t max = std::numeric_limits<uint64_t>::max();
    const char* max_reason = nullptr;  // why `max`, for the message
};
// The largest block number PostgreSQL stores (bigint).
constexpr uint64_t k_max_block = uint64_t(std::numeric_limits<int64_t>::max());
constexpr NumberLimits k_block_number{0, k_max_block, "the largest block number PostgreSQL stores"};

// Checks (and normalizes: leading zeros dropped) the text of flag `flag`; throws FlagError.
void check_decimal(const std::string& flag, std::string& text, const NumberLimits& limits);

template <class T>
struct NumberType {
    using type = T;
};
template <class T>
struct NumberType<std::optional<T>> {
    using type = T;
};

// add_option for a number, checked by check_decimal (the limits narrowed to what T holds).
template <class T>
CLI::Option* add_number(CLI::App* app, const std::string& names, T& into, const std::string& help,
                        NumberLimits limits = {}) {
    using N = typename NumberType<T>::type;
    static_assert(std::is_integral_v<N>, "add_number is for integer flags");
    limits.max = std::min<uint64_t>(limits.max, uint64_t(std::numeric_limits<N>::max()));
    CLI::Option* opt = app->add_option(names, into, help);
    const std::string flag = opt->get_name();
    // A transform, not a check: CLI11 gives checks a copy, and the text must lose its zeros.
    opt->transform(CLI::Validator(
        [flag, limits](std::string& text) {
            check_decimal(flag, text, limits);
            return std::string();
        },
        "", ""));
    return opt;
}

// The exit code the dispatched subcommand asks for (main returns it).
int& exit_code();

void add_global_options(CLI::App& app, GlobalOptions& g);
void add_output_option(CLI::App* sub, Output& out, bool with_ndjson = true);

struct ChainFlags {
    std::string chain;
    std::vector<std::string> rpc;
    std::optional<uint64_t> batch_blocks;
    std::vector<std::string> quarantine_tokens;
};
void add_chain_option(CLI::App* sub, ChainFlags& flags, bool with_rpc = true);
// Refuses a --chain value that cannot name a chain (config::chain_name_problem), at parse time.
CLI::Option* check_chain_name(CLI::Option* opt);
// --quarantine-token (scan, backfill) and the tokens it names, parsed for the chain's family.
void add_quarantine_option(CLI::App* sub, ChainFlags& flags);
std::vector<Key> quarantine_tokens(const config::ChainConfig& chain, const ChainFlags& flags);

config::Config load_config(const GlobalOptions& g, const ChainFlags* chain = nullptr);
// Opens the database and checks that the schema is current (every command but migrate).
std::unique_ptr<store::Store> open_store(const config::Config& config, const std::string& what,
                                         bool require_schema = true);

// A read command's chain must be configured or indexed: else UsageError "unknown chain X
// (configured: …; indexed: …)" (a typo must not look like an empty chain).
void require_known_chain(const config::Config& config, store::Store& store,
                         const std::string& chain);

// How the chain writes its identifiers: its configured family, else the one it was indexed as.
chain::KeyFormat key_format(const config::Config& config, store::Store* store,
                            const std::string& chain);

// Prints rows as an aligned table, a JSON array or NDJSON; `columns` name the object keys.
void print_rows(Output out, const std::vector<std::string>& columns,
                const std::vector<nlohmann::ordered_json>& rows);

// The exit code for a run that ended on a signal (0 when none).
int exit_code_for_signal(int signal_number);

// One register function per subcommand file.
void register_migrate(CLI::App& app, GlobalOptions& g);
void register_backfill(CLI::App& app, GlobalOptions& g);
void register_scan(CLI::App& app, GlobalOptions& g);
void register_status(CLI::App& app, GlobalOptions& g);
void register_balances(CLI::App& app, GlobalOptions& g);
void register_config(CLI::App& app, GlobalOptions& g);
void register_rollback(CLI::App& app, GlobalOptions& g);
void register_reconcile(CLI::App& app, GlobalOptions& g);
void register_pipes(CLI::App& app, GlobalOptions& g);
void register_replay(CLI::App& app, GlobalOptions& g);
void register_dlq(CLI::App& app, GlobalOptions& g);
void register_grants(CLI::App& app, GlobalOptions& g);

}  // namespace chainidx::cli
