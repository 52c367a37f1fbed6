// The TTL decision for an origin response (§3.2, §3.3, §3.5, §3.7, §3.8, §3.10): pure, no clock
// (the receive time is passed in), no allocation on the common path. Called by the engine once
// per origin response of a cacheable request, and again after a revalidation 304 with the stored
// status and the merged headers (§3.6: a 304 itself is not a cacheable object).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <variant>

#include "policies/cache_control.h"
#include "policies/config.h"
#include "policies/http_types.h"
#include "policies/no_cache_reason.h"

namespace edge::policies {

// §3.1: MinTTL / DefaultTTL / MaxTTL in seconds.
struct TtlSettings {
  int64_t min_ttl = 0;
  int64_t default_ttl = 86400;
  int64_t max_ttl = 31536000;
  bool operator==(const TtlSettings&) const = default;
};
std::ostream& operator<<(std::ostream& os, const TtlSettings& t);

// The behaviour's TTLs: its cache policy's (managed ones included) or, for the legacy model, the
// behaviour's own MinTTL/DefaultTTL/MaxTTL. An unresolvable policy gives 0/0/0 (nothing cached).
TtlSettings ttlSettingsFor(const Behavior& behavior, const Config& config);

// §3.3: ErrorCachingMinTTL for `status` from the distribution's CustomErrorResponses; 10 s when
// no entry for the code sets it.
inline constexpr int64_t kDefaultErrorCachingMinTtl = 10;
int64_t errorCachingMinTtl(std::span<const CustomErrorResponse> responses, int status);

// Where the TTL came from.
enum class TtlRule : uint8_t {
  MinTtlOverride,      // no-store / no-cache / private with MinTTL > 0: cached for MinTTL (§3.5)
  SMaxAge,             // origin s-maxage (§3.2 step 2a)
  MaxAge,              // origin max-age (§3.2 step 2b)
  Expires,             // origin Expires − Date (§3.2 step 2c)
  DefaultTtl,          // nothing said: max(MinTTL, DefaultTTL) (§3.2 step 3)
  ErrorCachingMinTtl,  // error status without a usable header value (§3.3)
  VaryStar,            // Vary: * with MinTTL 0: stored, every request forwarded (§3.8)
};
std::string_view toString(TtlRule rule);
inline std::ostream& operator<<(std::ostream& os, TtlRule r) { return os << toString(r); }

// How the origin value was adjusted.
enum class TtlClamp : uint8_t {
  None,
  RaisedToMin,       // below MinTTL (DefaultTTL below MinTTL, too)
  LoweredToMax,      // above MaxTTL
  RaisedToErrorMin,  // error status: below ErrorCachingMinTTL (§3.3)
};
std::string_view toString(TtlClamp clamp);
inline std::ostream& operator<<(std::ostream& os, TtlClamp c) { return os << toString(c); }

// §3.10: what happens to Set-Cookie.
enum class SetCookieHandling : uint8_t {
  Absent,     // the response has no Set-Cookie
  Stripped,   // the behaviour forwards no cookies: removed from the response and never stored
  Stored,     // kept, cached with the object and replayed on every hit
  NotStored,  // kept for this viewer, left out of the stored copy (no-cache="Set-Cookie")
};
std::string_view toString(SetCookieHandling h);
inline std::ostream& operator<<(std::ostream& os, SetCookieHandling h) {
  return os << toString(h);
}

struct Cacheable {
  // Seconds of freshness counted from when the response was received (§3.2 step 5). 0 = stored
  // but revalidated on every request (max-age=0, Vary: *).
  int64_t ttl_seconds = 0;
  int64_t stale_while_revalidate = 0;  // seconds after expiry, 0 = none (§3.7)
  // §3.7: seconds after expiry during which a 5xx / unreachable origin gets the stale copy.
  // nullopt: not sent, CloudFront's built-in stale-on-error applies (§3.4); 0: disabled (§3.5).
  std::optional<int64_t> stale_if_error;
  TtlRule rule = TtlRule::DefaultTtl;
  TtlClamp clamp = TtlClamp::None;
  std::optional<int64_t> origin_value;      // s-maxage / max-age / Expires value before clamping
  std::optional<NoCacheReason> overridden;  // MinTtlOverride: the directive MinTTL overrode
  bool error_response = false;              // status took the §3.3 error path
  // §3.6/§3.8: false for Vary: * with MinTTL 0 — later requests go to the origin without
  // If-None-Match / If-Modified-Since.
  bool conditional_revalidation = true;
  SetCookieHandling set_cookie = SetCookieHandling::Absent;

  // One line for `edged explain` and debug logs, e.g. "s-maxage=600 clamped to MaxTTL 300".
  // Built on demand so the decision itself does not allocate.
  std::string explanation() const;
  bool operator==(const Cacheable&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Cacheable& c);

struct Uncacheable {
  NoCacheReason reason;
  SetCookieHandling set_cookie = SetCookieHandling::Absent;  // still applies to the pass-through
  bool operator==(const Uncacheable&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Uncacheable& u);

using TtlDecision = std::variant<Cacheable, Uncacheable>;
std::ostream& operator<<(std::ostream& os, const TtlDecision& d);

struct TtlInputs {
  Method method = Method::Get;
  bool options_cached = false;  // the behaviour's CachedMethods include OPTIONS (§1.3)
  int status = 200;
  const HeaderList& headers;  // origin response headers (Cache-Control, Expires, Date, Vary, …)
  TtlSettings ttl;
  std::span<const CustomErrorResponse> error_responses;  // for ErrorCachingMinTTL (§3.3)
  bool forwards_cookies = false;                         // forwardsCookies(rules) (§3.10)
  int64_t now = 0;  // epoch seconds when the response was received
};

// The decision, in this order:
//  1. method: GET/HEAD always, OPTIONS only when cached (§1.3);
//  2. status lists (§3.3): 200/203/206 and 300/301/302/303/307/308 take the 2xx/3xx path;
//     404/414/500–504 always and 400/403/405/412/415 only with max-age/s-maxage take the error
//     path: TTL = max(ErrorCachingMinTTL, min(value, MaxTTL)); everything else is uncacheable;
//  3. 2xx/3xx with MaxTTL 0 → CachingDisabled;
//  4. §3.2 step 1: no-store, unqualified no-cache, unqualified private → MinTTL (uncacheable when
//     MinTTL is 0); field-named forms do not count;
//  5. Vary: * with MinTTL 0 → TTL 0 without conditional revalidation (§3.8);
//  6. §3.2 steps 2–4: s-maxage, then max-age, then Expires (Expires ≤ now or unparsable → 0,
//     else Expires − Date, or − now without a usable Date) clamped into [MinTTL, MaxTTL];
//     nothing → max(MinTTL, DefaultTTL).
// stale-while-revalidate / stale-if-error come straight from the directives (not capped by
// MaxTTL, §3.7 recommendation).
TtlDecision decideTtl(const TtlInputs& in);
// Same, with the Cache-Control already parsed (e.g. kept from the stored response); the
// Cache-Control fields of in.headers are then ignored.
TtlDecision decideTtl(const TtlInputs& in, const ResponseCacheControl& cache_control);

}  // namespace edge::policies
