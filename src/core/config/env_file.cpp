#include "core/config/env_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/model/errors.hpp"

namespace chainidx::config {

std::string read_value_file(const std::string& var, const std::string& path) {
    // A secret file is small; a larger one is a wrong path (a log, a binary), not a value.
    constexpr std::streamsize k_max_bytes = 64 * 1024;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw UsageError(var + "=" + path + ": is a directory; it must name the file holding " +
                         "the value");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError(var + "=" + path + ": cannot read it (" + std::strerror(errno) +
                         "); it must name a readable file holding the value");
    std::string text(static_cast<size_t>(k_max_bytes) + 1, '\0');
    in.read(text.data(), k_max_bytes + 1);
    if (in.bad()) throw UsageError(var + "=" + path + ": cannot read it");
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > static_cast<size_t>(k_max_bytes))
        throw UsageError(var + "=" + path + ": the file is larger than 64 KiB; it must hold " +
                         "only the value");
    // `echo URL > file` and editors add a newline; it is not part of the value.
    while (!text.empty() && std::strchr(" \t\r\n", text.back())) text.pop_back();
    if (text.empty()) throw UsageError(var + "=" + path + ": the file is empty");
    return text;
}

std::optional<EnvValue> env_or_file(const std::string& name, GetEnv getenv) {
    const std::string file_var = name + "_FILE";
    auto value = getenv(name);
    auto file = getenv(file_var);
    const bool has_value = value && !value->empty();
    const bool has_file = file && !file->empty();
    if (has_value && has_file)
        throw UsageError(name + " and " + file_var + " are both set; set only one of them");
    if (has_value) return EnvValue{*value, "env " + name};
    if (has_file)
        return EnvValue{read_value_file(file_var, *file), "env " + file_var + "=" + *file};
    return std::nullopt;
}

std::vector<std::string> split_endpoints(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    auto flush = [&] {
        const size_t b = item.find_first_not_of(" \t\r");
        const size_t e = item.find_last_not_of(" \t\r");
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
        item.clear();
    };
    for (char ch : text) {
        if (ch == ',' || ch == '\n')
            flush();
        else
            item += ch;
    }
    flush();
    return out;
}

}  // namespace chainidx::config
