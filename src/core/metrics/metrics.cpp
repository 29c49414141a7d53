#include "core/metrics/metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chainidx::metrics {

namespace {

std::string escape(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string render(const Labels& labels) {
    if (labels.empty()) return "";
    std::string s = "{";
    for (size_t i = 0; i < labels.size(); ++i)
        s += (i ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second) + "\"";
    return s + "}";
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);  // 0.05, not 0.050000000000000003
    return buf;
}

// `{a="x"}` + `le="1"` -> `{a="x",le="1"}`
std::string with_label(const std::string& rendered, const std::string& extra) {
    if (rendered.empty()) return "{" + extra + "}";
    return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : m_bounds(std::move(bounds)), m_counts(m_bounds.size() + 1, 0) {}

void Histogram::observe(double v) {
    size_t i = std::lower_bound(m_bounds.begin(), m_bounds.end(), v) - m_bounds.begin();
    std::lock_guard lock(m_mutex);
    m_counts[i]++;
    m_sum += v;
    m_count++;
}

Histogram::Snapshot Histogram::snapshot() const {
    std::lock_guard lock(m_mutex);
    Snapshot s{m_bounds, {}, m_sum, m_count};
    uint64_t running = 0;
    for (uint64_t c : m_counts) s.cumulative.push_back(running += c);
    return s;
}

Registry::Family& Registry::family(const std::string& name, const std::string& help,
                                   const char* type) {
    auto& f = m_families[name];
    if (f.type.empty()) {
        f.help = help;
        f.type = type;
    }
    return f;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(m_mutex);
    auto& slot = family(name, help, "counter").counters[render(labels)];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(m_mutex);
    auto& slot = family(name, help, "gauge").gauges[render(labels)];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::vector<double>& bounds, const Labels& labels) {
    std::lock_guard lock(m_mutex);
    auto& slot = family(name, help, "histogram").histograms[render(labels)];
    if (!slot) slot = std::make_unique<Histogram>(bounds);
    return *slot;
}

std::string Registry::exposition() const {
    std::lock_guard lock(m_mutex);
    std::ostringstream out;
    for (const auto& [name, f] : m_families) {
        out << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << f.type << "\n";
        for (const auto& [labels, c] : f.counters)
            out << name << labels << " " << c->value() << "\n";
        for (const auto& [labels, g] : f.gauges)
            out << name << labels << " " << number(g->value()) << "\n";
        for (const auto& [labels, h] : f.histograms) {
            auto s = h->snapshot();
            for (size_t i = 0; i < s.bounds.size(); ++i)
                out << name << "_bucket" << with_label(labels, "le=\"" + number(s.bounds[i]) + "\"")
                    << " " << s.cumulative[i] << "\n";
            out << name << "_bucket" << with_label(labels, "le=\"+Inf\"") << " " << s.count << "\n";
            out << name << "_sum" << labels << " " << number(s.sum) << "\n";
            out << name << "_count" << labels << " " << s.count << "\n";
        }
    }
    return out.str();
}

Registry& registry() {
    static Registry r;
    return r;
}

void write_file(const std::string& path) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << registry().exposition();
        out.flush();
        if (!out) throw std::runtime_error("--metrics-file " + path + ": cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error("--metrics-file " + path + ": cannot rename " + tmp + " over it");
}

}  // namespace chainidx::metrics
