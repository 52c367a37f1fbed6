#include "policies/cache_settings.h"

#include <algorithm>

namespace edge::policies {

BehaviorCacheSettings resolveBehaviorCacheSettings(const Behavior& behavior, const Config& config) {
  BehaviorCacheSettings s;
  s.key = resolveCacheKeyPolicy(behavior, config);
  s.ttl = ttlSettingsFor(behavior, config);
  s.rules = resolveForwardingRules(behavior, config);
  s.options_cached = std::find(behavior.cached_methods.begin(), behavior.cached_methods.end(),
                               Method::Options) != behavior.cached_methods.end();
  s.forwards_cookies = forwardsCookies(s.rules);
  s.legacy_cookies = s.rules.legacy != nullptr &&
                     s.rules.legacy->cookie_forward != ForwardedValues::CookieForward::None;
  s.collapse = s.ttl.max_ttl > 0 && !s.forwards_cookies;
  s.compress_gzip = s.key.compress && s.key.gzip;
  s.compress_brotli = s.key.compress && s.key.brotli;
  return s;
}

std::optional<NoCacheReason> requestNoCacheReason(Method method, const BehaviorCacheSettings& s,
                                                  const CacheKey& key) {
  if (method != Method::Get && method != Method::Head &&
      !(method == Method::Options && s.options_cached)) {
    return NoCacheReason::MethodNotCached;
  }
  if (key.no_cache) return key.no_cache;
  // MaxTTL 0 caches no 2xx/3xx; error statuses could still be cached for ErrorCachingMinTTL
  // (§3.3), so the request still goes through the cache, without collapsing (collapse=false).
  return std::nullopt;
}

}  // namespace edge::policies
