// libFuzzer target: an HTTP 200 body as a node may send it, read by rpc::read_response (what
// JsonRpcClient does with every answer) as a single call's answer and, when it is an array, as a
// batch's, with and without exact decimals (Bitcoin). An answer it accepts must have what
// JsonRpcClient::call/batch then rely on: a result or an error, every batch id in range and
// answered once; with exact decimals no fractional number is left as a double.
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/rpc/json_rpc.hpp"
#include "fuzz_support.hpp"

using namespace chainidx;
using simdjson::dom::element;

namespace {

bool has(element obj, const char* key) {
    element v;
    return obj[key].get(v) == simdjson::SUCCESS;
}

bool has_error(element obj) {
    element v;
    return obj["error"].get(v) == simdjson::SUCCESS && !v.is_null();
}

void no_doubles(element e) {
    switch (e.type()) {
        case simdjson::dom::element_type::DOUBLE:
            fuzz::finding("exact decimals left a fractional number as a double: " +
                          simdjson::to_string(e));
        case simdjson::dom::element_type::ARRAY:
            for (element x : simdjson::dom::array(e)) no_doubles(x);
            break;
        case simdjson::dom::element_type::OBJECT:
            for (auto field : simdjson::dom::object(e)) no_doubles(field.value);
            break;
        default:
            break;
    }
}

// What JsonRpcClient::result_of and batch() expect of an accepted answer.
void check_answer(element doc, size_t batch_size, bool exact) {
    if (exact) no_doubles(doc);
    if (batch_size == 0) {
        fuzz::check(doc.is_object() && (has_error(doc) || has(doc, "result")),
                    "an accepted single answer has neither result nor error");
        return;
    }
    simdjson::dom::array arr;
    if (doc.get(arr) != simdjson::SUCCESS) {
        fuzz::check(doc.is_object() && has_error(doc),
                    "an accepted batch answer is neither an array nor an error object");
        return;
    }
    std::vector<bool> seen(batch_size, false);
    for (element item : arr) {
        uint64_t id = 0;
        fuzz::check(item["id"].get(id) == simdjson::SUCCESS, "a batch item without an id");
        fuzz::check(id < batch_size, "a batch item's id is out of range");
        fuzz::check(!seen[id], "a batch id is answered twice");
        seen[id] = true;
        fuzz::check(has_error(item) || has(item, "result"),
                    "a batch item has neither result nor error");
    }
    for (bool s : seen) fuzz::check(s, "a batch id is not answered");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input = fuzz::text_of(data, size);
    simdjson::dom::parser parser;
    for (bool exact : {false, true}) {
        std::vector<size_t> sizes{0};
        {
            std::string body = input;
            std::string problem;
            if (auto doc = rpc::read_response(parser, body, 0, exact, problem)) {
                check_answer(*doc, 0, exact);
            } else {
                fuzz::check(!problem.empty(), "a rejected answer without a problem");
            }
            // An array: also read it as the batch of its length, and one longer (one missing).
            std::string copy = input;
            copy.reserve(copy.size() + simdjson::SIMDJSON_PADDING);
            simdjson::dom::array arr;
            if (parser.parse(copy.data(), copy.size(), false).get(arr) == simdjson::SUCCESS &&
                arr.size() > 0 && arr.size() < 1000)
                sizes = {arr.size(), arr.size() + 1};
            else
                sizes = {1};
        }
        for (size_t n : sizes) {
            std::string body = input;
            std::string problem;
            if (auto doc = rpc::read_response(parser, body, n, exact, problem))
                check_answer(*doc, n, exact);
            else
                fuzz::check(!problem.empty(), "a rejected answer without a problem");
        }
    }
    return 0;
}
