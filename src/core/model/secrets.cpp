#include "core/model/secrets.hpp"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace chainidx::secrets {

namespace {

struct Registry {
    std::shared_mutex mutex;
    std::vector<std::string> secrets;  // longest first, so a whole URL goes before its parts
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

void remember(std::string secret) {
    if (secret.size() < k_min_length) return;
    Registry& r = registry();
    std::unique_lock lock(r.mutex);
    if (std::find(r.secrets.begin(), r.secrets.end(), secret) != r.secrets.end()) return;
    auto at = std::find_if(r.secrets.begin(), r.secrets.end(),
                           [&](const std::string& s) { return s.size() < secret.size(); });
    r.secrets.insert(at, std::move(secret));
}

std::string scrub(std::string_view text) {
    std::string out(text);
    Registry& r = registry();
    std::shared_lock lock(r.mutex);
    for (const std::string& secret : r.secrets) {
        for (size_t at = 0; (at = out.find(secret, at)) != std::string::npos; at += 3)
            out.replace(at, secret.size(), "***");
    }
    return out;
}

void forget_all() {
    Registry& r = registry();
    std::unique_lock lock(r.mutex);
    r.secrets.clear();
}

}  // namespace chainidx::secrets
