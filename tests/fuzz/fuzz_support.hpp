#pragma once
// What the libFuzzer targets of tests/fuzz count as a finding. An input may be rejected only the
// documented way, with chainidx::Error or a subclass (UsageError, DataError, RpcError…); any other
// exception escaping (std::out_of_range, nlohmann::json's, toml++'s …), a broken invariant, a
// crash or a sanitizer report is a finding: it is printed and the target aborts, so libFuzzer
// keeps the input as a crash file.
#include <cxxabi.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <typeinfo>

#include "core/model/errors.hpp"

namespace chainidx::fuzz {

[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "\nfuzz finding: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

inline void check(bool ok, const std::string& what) {
    if (!ok) finding(what);
}

inline std::string type_name(const std::type_info& t) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && name ? name.get() : t.name();
}

// The message of the last chainidx::Error that accepts() caught, for findings that say why.
inline std::string& last_error() {
    static std::string e;
    return e;
}

// Runs `f`; true when it returned, false when it rejected the input with chainidx::Error.
template <class F>
bool accepts(F&& f) {
    try {
        f();
        return true;
    } catch (const Error& e) {
        last_error() = e.what();
        return false;
    } catch (const std::exception& e) {
        finding("unexpected exception " + type_name(typeid(e)) + ": " + e.what());
    } catch (...) {
        finding("unexpected exception of a type not derived from std::exception");
    }
}

inline std::string text_of(const uint8_t* data, size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// Logging off: normalizers warn about odd items, which would only slow the fuzzer down.
inline void quiet() {
    spdlog::set_level(spdlog::level::off);
}

}  // namespace chainidx::fuzz
