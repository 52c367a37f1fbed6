// The viewer request head as the pure decisions see it: parsed once by the engine's HTTP parser.
#pragma once

#include <cstdint>
#include <string>

#include "policies/http_types.h"

namespace edge::policies {

struct ViewerRequest {
  Method method = Method::Get;
  std::string method_name;  // as received, e.g. "GET"
  std::string path;         // raw path as received (no percent-decoding), starts with '/'
  std::string query;        // raw query without the '?', "" when none
  bool has_query = false;   // a '?' was present (even if the query is empty)
  uint8_t http_major = 1;
  uint8_t http_minor = 1;
  HeaderList headers;
  std::string client_ip;  // TCP peer
  uint16_t client_port = 0;
  bool has_body = false;  // Content-Length > 0 or chunked
};

// "/path?query" as received.
std::string requestTarget(const ViewerRequest& req);

}  // namespace edge::policies
