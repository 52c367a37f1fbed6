#include "policies/viewer_request.h"

namespace edge::policies {

std::string requestTarget(const ViewerRequest& req) {
  std::string out = req.path;
  if (req.has_query) {
    out += '?';
    out += req.query;
  }
  return out;
}

}  // namespace edge::policies
