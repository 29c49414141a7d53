// Text an endpoint sends back (error bodies, node messages) loses the secrets of its URL.
#include <doctest/doctest.h>

#include "core/rpc/http_client.hpp"

using chainidx::rpc::HttpClient;

TEST_CASE("scrub_removes_url_secrets_and_echoed_credentials") {
    HttpClient http("http://user:s3cr3tpass@127.0.0.1:1/v2/KEYabcdef123456?apikey=QUERYSECRET9",
                    1000, 1 << 20);
    std::string out = http.scrub(
        R"({"error":"invalid api key in /v2/KEYabcdef123456?apikey=QUERYSECRET9; key KEYabcdef123456; )"
        R"(auth Basic dXNlcjpzM2NyM3RwYXNz; user user, pass s3cr3tpass; token Bearer abc.def-1"})");
    CAPTURE(out);
    for (const char* secret :
         {"KEYabcdef123456", "QUERYSECRET9", "dXNlcjpzM2NyM3RwYXNz", "s3cr3tpass", "abc.def-1"})
        CHECK(out.find(secret) == std::string::npos);
    CHECK(out.find("invalid api key") != std::string::npos);  // the useful part stays
    CHECK(http.scrub("HTTP 500: upstream busy") == "HTTP 500: upstream busy");
}
