#include "core/pipeline/stop.hpp"

#include <chrono>
#include <thread>

namespace chainidx::pipeline {

namespace {
std::atomic<int> g_signal{0};
}

void request_stop(int signal_number) {
    g_signal.store(signal_number, std::memory_order_relaxed);
}
bool stop_requested() {
    return g_signal.load(std::memory_order_relaxed) != 0;
}
int stop_signal() {
    return g_signal.load(std::memory_order_relaxed);
}

bool sleep_unless_stopped(long ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        if (stop_requested()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 50L)));
    }
    return !stop_requested();
}

}  // namespace chainidx::pipeline
