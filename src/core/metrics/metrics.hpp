#pragma once
// Counters, gauges and histograms for a run, exposed in the Prometheus text format. Updates are
// lock-free after a series is first created; series are keyed by name and label set. Depends on
// nothing else in core.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace chainidx::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
  public:
    void add(uint64_t n = 1) { m_value.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return m_value.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> m_value{0};
};

class Gauge {
  public:
    void set(double v) { m_value.store(v, std::memory_order_relaxed); }
    double value() const { return m_value.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> m_value{0};
};

class Histogram {
  public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double v);
    // Cumulative counts per bound (+Inf last), the sum and the count.
    struct Snapshot {
        std::vector<double> bounds;
        std::vector<uint64_t> cumulative;
        double sum = 0;
        uint64_t count = 0;
    };
    Snapshot snapshot() const;

  private:
    std::vector<double> m_bounds;
    mutable std::mutex m_mutex;
    std::vector<uint64_t> m_counts;  // per bucket, +Inf last
    double m_sum = 0;
    uint64_t m_count = 0;
};

class Registry {
  public:
    Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
    Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help,
                         const std::vector<double>& bounds, const Labels& labels = {});
    // The text format; `common` labels are added to every series (a --metrics-file names the
    // command that wrote it, so the files of two commands never hold the same series).
    std::string exposition(const Labels& common = {}) const;

  private:
    struct Family {
        std::string help, type;
        std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered label set
        std::map<std::string, std::unique_ptr<Gauge>> gauges;
        std::map<std::string, std::unique_ptr<Histogram>> histograms;
    };
    Family& family(const std::string& name, const std::string& help, const char* type);
    mutable std::mutex m_mutex;
    std::map<std::string, Family> m_families;
};

// The process-wide registry.
Registry& registry();

// Writes the exposition to `path` atomically (a temporary file renamed over it), as the
// node_exporter textfile collector expects, with `common` labels on every series. Throws
// std::runtime_error naming the path and the OS error.
void write_file(const std::string& path, const Labels& common = {});
// Checks before a run that write_file(path) can succeed (the temporary file can be created in
// its directory, the path is not a directory), so a long run does not end without its metrics.
// Throws std::runtime_error as write_file does.
void check_writable(const std::string& path);

}  // namespace chainidx::metrics
