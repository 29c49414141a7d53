#include "core/store/database_url.hpp"

#include <libpq-fe.h>

#include <memory>
#include <string_view>

#include "core/model/secrets.hpp"

namespace chainidx::store {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool looks_like_uri(std::string_view s) {
    return s.find("://") != std::string_view::npos;
}

// A connection string nested in dbname (libpq expands one there).
bool nested_connection_string(std::string_view s) {
    return starts_with(s, "postgres://") || starts_with(s, "postgresql://") ||
           s.find('=') != std::string_view::npos;
}

}  // namespace

std::optional<std::string> check_database_url(const std::string& url) {
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(
        PQconninfoParse(url.c_str(), &error), PQconninfoFree);
    // libpq's message quotes the string it could not parse: it is never shown.
    if (error) PQfreemem(error);
    if (!options) {
        secrets::remember(url);  // not a connection string: it may be anything
        if (looks_like_uri(url) && !starts_with(url, "postgres://") &&
            !starts_with(url, "postgresql://"))
            return std::string(
                "is a URI that does not start with postgres:// or postgresql:// "
                "(lowercase)");
        if (looks_like_uri(url)) return std::string("is not a valid postgres:// URI");
        return std::string(
            "is neither a postgres:// or postgresql:// URI nor libpq key=value pairs "
            "(host=… dbname=…)");
    }
    std::optional<std::string> problem;
    for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
        if (!o->val) continue;
        const std::string_view key = o->keyword;
        if ((key == "password" || key == "sslpassword") && *o->val) {
            secrets::remember(o->val);
            secrets::remember(url);  // a string without one is no secret, and messages name it
        }
        if (key == "dbname" && nested_connection_string(o->val)) {
            if (auto nested = check_database_url(o->val); nested && !problem)
                problem = "has a dbname that " + *nested;
        }
        // An unencoded '@' in the password ends the user info early: the rest of the password
        // would become the host name, and be shown in every connection error.
        if (key == "host" && std::string_view(o->val).find('@') != std::string_view::npos &&
            !problem)
            problem =
                "has a '@' in its host: a '@' in the user name or password must be "
                "percent-encoded as %40";
    }
    // The user info and the password as written (percent-encoded) are remembered too.
    if (looks_like_uri(url)) {
        const size_t start = url.find("://") + 3;
        const size_t end = url.find('/', start);
        const size_t at = url.rfind('@', end == std::string::npos ? url.size() - 1 : end);
        if (at != std::string::npos && at >= start) {
            const std::string userinfo = url.substr(start, at - start);
            secrets::remember(userinfo);
            if (auto colon = userinfo.find(':'); colon != std::string::npos)
                secrets::remember(userinfo.substr(colon + 1));
        }
    }
    return problem;
}

void check_database_url(config::Config& config) {
    const config::Setting<std::string>& url = config.database_url;
    if (url.value.empty() || !config.database_url_unresolved.empty()) return;
    if (auto problem = check_database_url(url.value)) {
        const std::string subject = url.origin.rfind("file ", 0) == 0
                                        ? url.origin.substr(5) + ": database.url"
                                        : url.origin + ": the database URL";
        config.database_url_unresolved =
            subject + " " + *problem +
            " (the value is not shown; e.g. postgres://user:password@host:5432/db)";
    }
}

}  // namespace chainidx::store
