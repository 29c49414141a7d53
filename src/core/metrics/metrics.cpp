#include "core/metrics/metrics.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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

std::string Registry::exposition(const Labels& common) const {
    const std::string common_text = render(common);
    // `{a="x"}` + common `{command="scan"}` -> `{a="x",command="scan"}`
    auto tagged = [&](const std::string& labels) {
        if (common_text.empty()) return labels;
        return with_label(labels, common_text.substr(1, common_text.size() - 2));
    };
    std::lock_guard lock(m_mutex);
    std::ostringstream out;
    for (const auto& [name, f] : m_families) {
        out << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << f.type << "\n";
        for (const auto& [own, c] : f.counters)
            out << name << tagged(own) << " " << c->value() << "\n";
        for (const auto& [own, g] : f.gauges)
            out << name << tagged(own) << " " << number(g->value()) << "\n";
        for (const auto& [own, h] : f.histograms) {
            const std::string labels = tagged(own);
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

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int error) {
    throw std::runtime_error("--metrics-file " + path + ": " + what + ": " + std::strerror(error));
}

// Opens `tmp` (beside `path`) for writing, or throws naming the OS error.
int open_tmp(const std::string& path, const std::string& tmp, int flags = O_TRUNC) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        fail(path, "cannot replace it", EISDIR);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
    if (fd < 0) fail(path, "cannot create " + tmp, errno);
    return fd;
}

}  // namespace

void write_file(const std::string& path, const Labels& common) {
    const std::string tmp = path + ".tmp";
    const std::string text = registry().exposition(common);
    const int fd = open_tmp(path, tmp);
    for (size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            ::unlink(tmp.c_str());
            fail(path, "cannot write " + tmp, error);
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(tmp.c_str());
        fail(path, "cannot write " + tmp, error);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(tmp.c_str());
        fail(path, "cannot rename " + tmp + " over it", error);
    }
}

void check_writable(const std::string& path) {
    // A name of its own, so a run writing the same file meanwhile is not disturbed.
    const std::string probe = path + ".tmp." + std::to_string(::getpid());
    ::close(open_tmp(path, probe, O_EXCL));
    ::unlink(probe.c_str());
}

}  // namespace chainidx::metrics
