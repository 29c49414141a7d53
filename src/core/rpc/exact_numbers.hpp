#pragma once
// Keeps fractional JSON numbers exact. JSON parsers (simdjson included) turn `0.00000001` into a
// double; Bitcoin Core writes every amount that way. Before parsing, this pass wraps each number
// token that has a fraction or an exponent in quotes, so the parsed document holds its exact
// text (`"0.00000001"`) for a decimal parser. Integers and everything inside strings are left
// as they are.
#include <string>
#include <string_view>

namespace chainidx::rpc {

std::string quote_fractional_numbers(std::string_view json);

}  // namespace chainidx::rpc
