#include "cli/parse_error.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "core/model/secrets.hpp"

namespace chainidx::cli {

namespace {

bool is_alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool is_word(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// "--rpc", "--rpc=URL", "-o", "-ojson"; not "-5" or "-".
bool flag_like(std::string_view t) {
    return t.size() >= 2 && t[0] == '-' &&
           (is_alpha(t[1]) || (t[1] == '-' && t.size() > 2 && is_alpha(t[2])));
}

// The flag of a flag-like token, its value cut off: "--rpc=URL" -> "--rpc", "-ojson" -> "-o".
std::string_view flag_name(std::string_view t) {
    return t[1] == '-' ? t.substr(0, t.find('=')) : t.substr(0, 2);
}

// The value a flag-like token carries, if any.
std::string_view attached_value(std::string_view t) {
    if (t[1] == '-') {
        size_t eq = t.find('=');
        return eq == std::string_view::npos ? std::string_view() : t.substr(eq + 1);
    }
    return t.substr(2);
}

void all_apps(const CLI::App& app, std::vector<const CLI::App*>& out) {
    out.push_back(&app);
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        all_apps(*sub, out);
}

// Every value typed on the command line: any argument that is neither a flag nor a subcommand
// name, and what follows '=' in --flag=value.
std::vector<std::string> typed_values(const CLI::App& app, int argc, const char* const* argv) {
    std::vector<const CLI::App*> apps;
    all_apps(app, apps);
    std::vector<std::string> values;
    auto add = [&](std::string_view v) {
        if (v.empty()) return;
        values.emplace_back(v);
        for (size_t start = 0; start < v.size();) {  // --rpc A,B: CLI11 quotes A or B alone
            size_t end = std::min(v.find(',', start), v.size());
            if (end - start < v.size()) values.emplace_back(v.substr(start, end - start));
            start = end + 1;
        }
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view t = argv[i];
        if (flag_like(t)) {
            add(attached_value(t));
            continue;
        }
        const bool subcommand = std::any_of(apps.begin(), apps.end(), [&](const CLI::App* a) {
            return a != &app && a->get_name() == t;
        });
        if (!subcommand) add(t);
    }
    // Longest first, so a URL goes before the pieces of it.
    std::sort(values.begin(), values.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return values;
}

// A number or an address as typed ("-1", "0x1", "010", "127.0.0.1:99999", "[::1]:0"): no key,
// password or URL has this shape, and showing it is what makes "--from: -1 …" useful.
bool numeric_shape(std::string_view v) {
    return std::any_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
           v.find_first_not_of("0123456789+-.:[]xXoObB_") == std::string_view::npos;
}

// `text` with every whole occurrence of a value (not inside a longer word) replaced by "***".
std::string without_values(std::string text, const std::vector<std::string>& values) {
    for (const std::string& v : values) {
        if (numeric_shape(v)) continue;
        for (size_t at = 0; (at = text.find(v, at)) != std::string::npos;) {
            const size_t end = at + v.size();
            const bool whole = (at == 0 || !is_word(text[at - 1]) || !is_word(v.front())) &&
                               (end == text.size() || !is_word(text[end]) || !is_word(v.back()));
            if (!whole) {
                ++at;
                continue;
            }
            text.replace(at, v.size(), "***");
            at += 3;
        }
    }
    return secrets::scrub(text);
}

std::string join(const std::vector<std::string>& v, const char* separator = ", ") {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? separator : "") + v[i];
    return out;
}

// CLI11's "The following arguments were not expected: …" quotes every extra argument: only the
// flags among them are named.
std::string describe_extras(const CLI::App& app) {
    std::vector<std::string> flags;
    size_t others = 0;
    for (const std::string& t : app.remaining(true)) {
        if (!flag_like(t)) {
            ++others;
            continue;
        }
        std::string name(flag_name(t));
        if (std::find(flags.begin(), flags.end(), name) == flags.end()) flags.push_back(name);
    }
    if (flags.empty())
        return others == 1
                   ? "an unexpected argument (values are not shown)"
                   : std::to_string(others) + " unexpected arguments (values are not shown)";
    std::vector<const CLI::App*> apps;
    all_apps(app, apps);
    std::vector<std::string> elsewhere;  // flags of a subcommand given before its name
    for (const std::string& f : flags) {
        std::vector<std::string> owners;
        for (const CLI::App* a : apps)
            if (a != &app && a->get_option_no_throw(f)) owners.push_back(a->get_name());
        if (!owners.empty()) elsewhere.push_back(f + " is a flag of " + join(owners));
    }
    std::string out = std::string("unknown or misplaced flag") + (flags.size() > 1 ? "s " : " ") +
                      join(flags) + " (values are not shown)";
    if (!elsewhere.empty())
        out += "; " + join(elsewhere, "; ") + " (put it after the subcommand's name)";
    return out;
}

}  // namespace

std::string describe_parse_error(const CLI::App& app, const CLI::ParseError& e, int argc,
                                 const char* const* argv) {
    if (dynamic_cast<const CLI::ExtrasError*>(&e)) return describe_extras(app);
    // Other errors quote one value at most ("--from: SECRET not in …"): it is replaced.
    return without_values(e.what(), typed_values(app, argc, argv));
}

std::string option_origin(const std::string& flag, const std::string& env, int argc,
                          const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view t = argv[i];
        if (t == flag ||
            (t.size() > flag.size() && t.substr(0, flag.size()) == flag && t[flag.size()] == '='))
            return "flag " + flag;
    }
    return "env " + env;
}

}  // namespace chainidx::cli
