#pragma once
// Reading the unit tests' fixture files (tests/fixtures, see its SOURCES.md files).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace chainidx::test {

// The whole file; fails the test case naming the path when it cannot be opened.
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open fixture " << path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace chainidx::test
