// A parsed admin request for AdminService::handle, built from "METHOD" and "/path?query" (what
// the HTTP parser would hand over), so the routing is tested without a socket.
#pragma once

#include <string>

#include "policies/viewer_request.h"

namespace edge::engine::testing_admin {

inline policies::ViewerRequest adminRequest(const std::string& method, const std::string& target) {
  policies::ViewerRequest r;
  r.method_name = method;
  r.method = policies::parseMethod(method);
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    r.has_query = true;
    r.query = target.substr(q + 1);
  }
  return r;
}

}  // namespace edge::engine::testing_admin
