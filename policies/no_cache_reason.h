// Why a request or response is not stored (Pingora's NoCacheReason): every "no" of the cache
// decisions (cache_key.h, ttl.h) carries one of these, printed in logs and by `edged explain`.
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>

namespace edge::policies {

enum class NoCacheReason : uint8_t {
  MethodNotCached,      // POST/PUT/PATCH/DELETE, or OPTIONS when CachedMethods lacks it (§1.3)
  AllHeadersForwarded,  // legacy ForwardedValues.Headers = ["*"]: nothing cached (§2.8)
  UnknownCachePolicy,   // CachePolicyId not in the config (the loader rejects this; defensive)
  CachingDisabled,      // MaxTTL 0 (e.g. managed CachingDisabled 0/0/0) for a 2xx/3xx (§3.2)
  OriginNoStore,        // Cache-Control: no-store with MinTTL 0 (§3.2 step 1)
  OriginNoCache,        // unqualified no-cache with MinTTL 0 (§3.2 step 1)
  OriginPrivate,        // unqualified private with MinTTL 0 (§3.2 step 1)
  StatusNotCacheable,   // status in no §3.3 list (201, 204, 304, 416, 418, …)
  ErrorWithoutMaxAge,   // 400/403/405/412/415 without max-age or s-maxage (§3.3)
  ErrorTtlZero,         // cacheable error status whose TTL came out 0 (ErrorCachingMinTTL 0, §3.3)
};

// Stable kebab-case names for logs: "method-not-cached", "origin-no-store", …
std::string_view toString(NoCacheReason reason);
std::ostream& operator<<(std::ostream& os, NoCacheReason reason);

}  // namespace edge::policies
