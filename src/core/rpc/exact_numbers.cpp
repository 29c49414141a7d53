#include "core/rpc/exact_numbers.hpp"

namespace chainidx::rpc {

namespace {
bool number_char(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}
}  // namespace

std::string quote_fractional_numbers(std::string_view json) {
    std::string out;
    out.reserve(json.size() + json.size() / 16);
    size_t i = 0;
    const size_t n = json.size();
    while (i < n) {
        char c = json[i];
        if (c == '"') {  // copy the string through its closing quote, honouring escapes
            size_t j = i + 1;
            while (j < n && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
            j = std::min(j + 1, n);
            out.append(json.substr(i, j - i));
            i = j;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t j = i;
            bool fractional = false;
            while (j < n && number_char(json[j])) {
                fractional = fractional || json[j] == '.' || json[j] == 'e' || json[j] == 'E';
                ++j;
            }
            std::string_view token = json.substr(i, j - i);
            if (fractional) {
                out += '"';
                out.append(token);
                out += '"';
            } else {
                out.append(token);
            }
            i = j;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

}  // namespace chainidx::rpc
