// What the cache did for a response, and the X-Cache value that says so (§6.2, STYLE §c.15).
// Pure: the engine records the outcome, this maps it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>

#include "policies/viewer_response.h"

namespace edge::policies {

enum class CacheOutcome : uint8_t {
  Hit,                   // fresh object served from cache
  CollapsedFollower,     // waited for another request's origin fetch (§9.3: logged Hit)
  RefreshHit,            // expired object revalidated, origin answered 304 (§3.6)
  StaleWhileRevalidate,  // stale object served while a background revalidation runs (§3.7)
  StaleOnError,          // stale object served because the origin failed (§3.4, §3.5, §3.7)
  Miss,                  // fetched from the origin (new object, or expired one refetched in full)
  Bypass,                // not cacheable (method, policy, response): proxied to the origin
};
std::string_view toString(CacheOutcome o);
std::ostream& operator<<(std::ostream& os, CacheOutcome o);

// §6.2: any status ≥ 400 is "Error" whatever the cache did (cached errors included); otherwise
// Hit for hits and collapsed followers, RefreshHit for a 304 revalidation, Miss for origin
// fetches and bypassed requests. The two stale outcomes are UNCONFIRMED (§3.7 recommends
// RefreshHit for stale-while-revalidate; some reports show Hit): `stale_as` decides, RefreshHit
// by default.
XCache xCacheFor(CacheOutcome outcome, int status, XCache stale_as = XCache::RefreshHit);

}  // namespace edge::policies
