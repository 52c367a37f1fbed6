// An admin API response before it is framed (so the routing is tested without a socket), its
// usual shapes, and the query-string helpers the admin routes share. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/http_types.h"

namespace edge::engine {

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  policies::HeaderList headers;  // besides Content-Type (Location, Allow)
};

// text/plain; charset=utf-8.
AdminResponse textResponse(int status, std::string body);
// application/json with `json` as the body.
AdminResponse jsonResponse(int status, std::string json);
// {"Error": {"Code", "Message", "Field"}} (admin_json.h errorJson).
AdminResponse errorResponse(int status, std::string code, std::string field, std::string message);

// The raw value of the first `name` in a query string ("a=1&b=2"), no percent-decoding (for
// values that are digits); "" for a bare "name"; nullopt when absent.
std::optional<std::string_view> queryParam(std::string_view query, std::string_view name);
// Every `name` in the query, in order, percent-decoded (RFC 3986 §2.1; '+' stays '+': the
// dashboard encodes with encodeURIComponent). nullopt when a value has a bad %-escape.
std::optional<std::vector<std::string>> decodedQueryParams(std::string_view query,
                                                           std::string_view name);
// Digits only (no sign), ≤ max.
std::optional<int64_t> parseCount(std::string_view s, int64_t max);

}  // namespace edge::engine
