#include "policies/cache_status.h"

namespace edge::policies {

std::string_view toString(CacheOutcome o) {
  switch (o) {
    case CacheOutcome::Hit: return "hit";
    case CacheOutcome::CollapsedFollower: return "collapsed-follower";
    case CacheOutcome::RefreshHit: return "refresh-hit";
    case CacheOutcome::StaleWhileRevalidate: return "stale-while-revalidate";
    case CacheOutcome::StaleOnError: return "stale-on-error";
    case CacheOutcome::Miss: return "miss";
    case CacheOutcome::Bypass: return "bypass";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, CacheOutcome o) { return os << toString(o); }

XCache xCacheFor(CacheOutcome outcome, int status, XCache stale_as) {
  if (status >= 400) return XCache::Error;
  switch (outcome) {
    case CacheOutcome::Hit:
    case CacheOutcome::CollapsedFollower: return XCache::Hit;
    case CacheOutcome::RefreshHit: return XCache::RefreshHit;
    case CacheOutcome::StaleWhileRevalidate:
    case CacheOutcome::StaleOnError: return stale_as;
    case CacheOutcome::Miss:
    case CacheOutcome::Bypass: return XCache::Miss;
  }
  return XCache::Miss;
}

}  // namespace edge::policies
