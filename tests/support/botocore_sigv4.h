// Runs tests/interop/sigv4_botocore.py (botocore's SigV4, Debian's python3-botocore) over a batch
// of cases: modes sign | verify | chunked, described in that script. botocore is a required test
// dependency: when /usr/bin/python3 or botocore is missing the calling test fails (never skips).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace edge::itest {

// One result per case, or an ADD_FAILURE (with the script's output) and an empty array.
nlohmann::json runBotocoreSigv4(std::string_view mode, const nlohmann::json& cases);

// Standard base64 → bytes (the script's "wire_base64"); an EXPECT failure on bad input.
std::string base64Decode(const std::string& text);

}  // namespace edge::itest
