#include "policies/no_cache_reason.h"

namespace edge::policies {

std::string_view toString(NoCacheReason reason) {
  switch (reason) {
    case NoCacheReason::MethodNotCached: return "method-not-cached";
    case NoCacheReason::AllHeadersForwarded: return "all-headers-forwarded";
    case NoCacheReason::UnknownCachePolicy: return "unknown-cache-policy";
    case NoCacheReason::CachingDisabled: return "caching-disabled";
    case NoCacheReason::OriginNoStore: return "origin-no-store";
    case NoCacheReason::OriginNoCache: return "origin-no-cache";
    case NoCacheReason::OriginPrivate: return "origin-private";
    case NoCacheReason::StatusNotCacheable: return "status-not-cacheable";
    case NoCacheReason::ErrorWithoutMaxAge: return "error-without-max-age";
    case NoCacheReason::ErrorTtlZero: return "error-ttl-zero";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, NoCacheReason reason) { return os << toString(reason); }

}  // namespace edge::policies
