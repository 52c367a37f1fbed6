#include "engine/admin/cache_invalidator.h"

#include "policies/invalidation.h"

namespace edge::engine {

InvalidationMatcher::InvalidationMatcher(const std::vector<std::string>& paths,
                                         int64_t issued_at_ms)
    : issued_at_ms_(issued_at_ms) {
  for (const std::string& p : paths) {
    if (policies::isWildcardInvalidationPath(p)) {
      prefixes_.push_back(p.substr(0, p.size() - 1));
    } else {
      exact_.insert(p);
    }
  }
}

bool InvalidationMatcher::matches(std::string_view path_and_query) const {
  // Heterogeneous lookup (transparent hash): no temporary string per stored object.
  if (!exact_.empty() && exact_.find(path_and_query) != exact_.end()) return true;
  for (const std::string& prefix : prefixes_) {
    if (path_and_query.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace edge::engine
