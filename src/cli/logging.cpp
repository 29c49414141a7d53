#include "cli/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "core/model/secrets.hpp"

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
            {"msg", secrets::scrub(std::string_view(msg.payload.data(), msg.payload.size()))}};
        std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }
};

// Formats a line with its message scrubbed of every remembered secret: a library or a node may
// repeat a password or an API key in any message.
class ScrubbingFormatter : public spdlog::formatter {
  public:
    explicit ScrubbingFormatter(std::unique_ptr<spdlog::formatter> inner)
        : m_inner(std::move(inner)) {}
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string payload =
            secrets::scrub(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg scrubbed = msg;
        scrubbed.payload = spdlog::string_view_t(payload.data(), payload.size());
        m_inner->format(scrubbed, dest);
        msg.color_range_start = scrubbed.color_range_start;
        msg.color_range_end = scrubbed.color_range_end;
    }
    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<ScrubbingFormatter>(m_inner->clone());
    }

  private:
    std::unique_ptr<spdlog::formatter> m_inner;
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
        logger->set_formatter(std::make_unique<ScrubbingFormatter>(
            std::make_unique<spdlog::pattern_formatter>("chainidx: %^%l%$: %v")));
    }
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

}  // namespace chainidx::cli
