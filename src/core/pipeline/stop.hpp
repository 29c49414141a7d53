#pragma once
// A cooperative stop request: the CLI's signal handler sets it, the run loops check it between
// batches, so a batch is either committed whole or not at all.
#include <atomic>

namespace chainidx::pipeline {

void request_stop(int signal_number);  // async-signal-safe
bool stop_requested();
int stop_signal();  // 0 when none
// Sleeps up to `ms`, returning early (false) when a stop is requested.
bool sleep_unless_stopped(long ms);

}  // namespace chainidx::pipeline
