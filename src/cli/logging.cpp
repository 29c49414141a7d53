#include "cli/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

namespace chainidx::cli {

namespace {

std::string g_chain;

// One JSON object per line on stderr; nlohmann does the escaping.
class JsonLineSink : public spdlog::sinks::base_sink<std::mutex> {
  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        using namespace std::chrono;
        auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
        nlohmann::ordered_json j{
            {"ts_ms", ms},
            {"level", spdlog::level::to_string_view(msg.level).data()},
            {"run", run_id()},
            {"chain", g_chain.empty() ? nullptr : nlohmann::ordered_json(g_chain)},
            {"msg", std::string(msg.payload.data(), msg.payload.size())}};
        std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }
};

}  // namespace

const std::string& run_id() {
    static const std::string id = [] {
        std::random_device rd;
        char buf[17];
        std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
        return std::string(buf);
    }();
    return id;
}

void set_log_chain(const std::string& chain) {
    g_chain = chain;
}

void setup_logging(const std::string& level, const std::string& format) {
    std::shared_ptr<spdlog::logger> logger;
    if (format == "json") {
        logger = std::make_shared<spdlog::logger>("chainidx", std::make_shared<JsonLineSink>());
    } else {
        logger = spdlog::stderr_color_mt("chainidx");
        logger->set_pattern("chainidx: %^%l%$: %v");
    }
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

}  // namespace chainidx::cli
