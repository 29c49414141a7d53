#pragma once
// The error classes of chainidx. Each says what the caller should do next, and carries the exit
// code the CLI turns it into (one place, src/cli/main.cpp). Core code never calls exit().
#include <stdexcept>
#include <string>

namespace chainidx {

enum ExitCode : int {
    k_exit_ok = 0,
    k_exit_failure = 1,       // could not run: RPC down, database unreachable, ...
    k_exit_usage = 2,         // bad flag, bad config value, bad input: fix it and rerun
    k_exit_drift = 3,         // reconcile found drift
    k_exit_inconsistent = 4,  // the chain's data contradicts what is stored (deep reorg, bad node)
    k_exit_check_failed = 5,  // status --check: lagging, head unknown or nothing indexed
    k_exit_sigint = 130,
    k_exit_sigterm = 143,
};

class Error : public std::runtime_error {
  public:
    Error(const std::string& what, int exit_code = k_exit_failure)
        : std::runtime_error(what), m_exit_code(exit_code) {}
    int exit_code() const { return m_exit_code; }

  private:
    int m_exit_code;
};

// A flag, a config value or an input line is wrong; rerunning unchanged will fail again.
class UsageError : public Error {
  public:
    explicit UsageError(const std::string& what) : Error(what, k_exit_usage) {}
};

// Talking to a node failed. `retryable` is false for answers that will not change on retry
// (bad params, wrong chain id, authentication).
class RpcError : public Error {
  public:
    RpcError(const std::string& what, bool retryable) : Error(what), m_retryable(retryable) {}
    bool retryable() const { return m_retryable; }

  private:
    bool m_retryable;
};

// The data is impossible or contradicts what is stored: a reorg below finality, a block whose
// hash changed outside the reorg window, an amount that overflows 256 bits.
class DataError : public Error {
  public:
    explicit DataError(const std::string& what) : Error(what, k_exit_inconsistent) {}
};

}  // namespace chainidx
