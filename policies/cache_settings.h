// Everything the cache needs to know about one behaviour, resolved once per behaviour (at worker
// start) so the per-request path does no map look-ups: the cache key policy (§2), the TTLs
// (§3.1), whether OPTIONS is cached (§1.3), cookie forwarding (§3.6, §3.10) and whether
// concurrent misses may collapse onto one origin fetch (§9.3). Pure.
#pragma once

#include <optional>
#include <ostream>

#include "policies/cache_key.h"
#include "policies/config.h"
#include "policies/forwarding_rules.h"
#include "policies/no_cache_reason.h"
#include "policies/ttl.h"

namespace edge::policies {

struct BehaviorCacheSettings {
  CacheKeyPolicy key;
  TtlSettings ttl;
  ForwardingRules rules;          // points into the Config (viewerVary, forwardsCookies)
  bool options_cached = false;    // CachedMethods includes OPTIONS (§1.3)
  bool forwards_cookies = false;  // §3.10 / §9.3: any cookie goes to the origin
  bool legacy_cookies = false;    // ForwardedValues forwards cookies: no conditional requests (§2.8)
  // §9.3: collapsing is off with CachingDisabled (MaxTTL 0) and whenever cookies are forwarded.
  bool collapse = true;
  // §4.1 conditions 1–3 and 5, per format: the edge compresses responses for keys offering it.
  bool compress_gzip = false;
  bool compress_brotli = false;
};

BehaviorCacheSettings resolveBehaviorCacheSettings(const Behavior& behavior, const Config& config);

// Why a request is not looked up in the cache at all (nullopt: it is): a method that is not
// cached (§1.3), a behaviour that caches nothing (§2.8 Headers ["*"]), or MaxTTL 0 (CachingDisabled:
// every response would be uncacheable, so neither look up nor collapse).
std::optional<NoCacheReason> requestNoCacheReason(Method method, const BehaviorCacheSettings& s,
                                                  const CacheKey& key);

}  // namespace edge::policies
