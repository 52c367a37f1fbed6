// §3.2 / §3.3 TTL decision. The response headers are scanned once (switching on the name
// length before comparing), and Expires / Date are only parsed when Expires is the rule that
// applies, so the common `Cache-Control: max-age=N` case does no date parsing and no allocation.
#include "policies/ttl.h"

#include <algorithm>
#include <sstream>

#include "policies/ascii.h"
#include "policies/http_date.h"
#include "policies/vary.h"

namespace edge::policies {

namespace {

// What decideTtl reads from the headers besides Cache-Control.
struct HeaderFacts {
  std::optional<std::string_view> expires;  // first Expires (RFC 9111 §4.2.1: first occurrence)
  std::optional<std::string_view> date;
  bool vary_star = false;
  bool set_cookie = false;
};

// kParseCacheControl: parse Cache-Control lines into *cc (the pre-parsed overload skips them).
template <bool kParseCacheControl>
HeaderFacts scanHeaders(const HeaderList& headers, ResponseCacheControl* cc) {
  HeaderFacts f;
  for (const Header& h : headers) {
    const std::string_view n = h.name;
    switch (n.size()) {
      case 4:
        if (equalsLower(n, "date")) {
          if (!f.date) f.date = h.value;
        } else if (equalsLower(n, "vary")) {
          f.vary_star = f.vary_star || varyHasStar(h.value);
        }
        break;
      case 7:
        if (!f.expires && equalsLower(n, "expires")) f.expires = h.value;
        break;
      case 10:
        if (equalsLower(n, "set-cookie")) f.set_cookie = true;
        break;
      case 13:
        if (kParseCacheControl && equalsLower(n, "cache-control")) {
          parseResponseCacheControlInto(h.value, *cc);
        }
        break;
      default: break;
    }
  }
  return f;
}

enum class StatusClass : uint8_t { Normal, ErrorAlways, ErrorWithMaxAge, Never };

// §3.3. 2xx other than 200/203/206 are not cached (UNCONFIRMED, the spec's recommendation); 304
// answers a revalidation and is never an object of its own.
StatusClass classifyStatus(int status) {
  // clang-format off
  switch (status) {
    case 200: case 203: case 206:
    case 300: case 301: case 302: case 303: case 307: case 308:
      return StatusClass::Normal;
    case 404: case 414: case 500: case 501: case 502: case 503: case 504:
      return StatusClass::ErrorAlways;
    case 400: case 403: case 405: case 412: case 415:
      return StatusClass::ErrorWithMaxAge;
    default:
      return StatusClass::Never;
  }
  // clang-format on
}

bool methodCached(const TtlInputs& in) {
  switch (in.method) {
    case Method::Get:
    case Method::Head: return true;
    case Method::Options: return in.options_cached;
    default: return false;
  }
}

SetCookieHandling setCookieHandling(const HeaderFacts& f, const ResponseCacheControl& cc,
                                    bool forwards_cookies) {
  if (!f.set_cookie) return SetCookieHandling::Absent;
  if (!forwards_cookies) return SetCookieHandling::Stripped;
  return cc.excludesFieldFromStore("set-cookie") ? SetCookieHandling::NotStored
                                                 : SetCookieHandling::Stored;
}

// §3.2 step 2c: Expires − Date (or − now without a usable Date); Expires ≤ now or unparsable → 0.
int64_t expiresValue(std::string_view expires, std::optional<std::string_view> date, int64_t now) {
  const auto e = parseHttpDate(expires);
  if (!e || *e <= now) return 0;
  int64_t base = now;
  if (date) {
    if (const auto d = parseHttpDate(*date)) base = *d;
  }
  return std::clamp<int64_t>(*e - base, 0, kMaxDeltaSeconds);
}

// The origin freshness value of §3.2 step 2, first match wins; nullopt when nothing is said.
std::optional<int64_t> originValue(const ResponseCacheControl& cc, const HeaderFacts& f,
                                   int64_t now, TtlRule& rule) {
  if (cc.s_maxage) {
    rule = TtlRule::SMaxAge;
    return cc.s_maxage;
  }
  if (cc.max_age) {
    rule = TtlRule::MaxAge;
    return cc.max_age;
  }
  if (f.expires) {
    rule = TtlRule::Expires;
    return expiresValue(*f.expires, f.date, now);
  }
  return std::nullopt;
}

Cacheable base(const ResponseCacheControl& cc, SetCookieHandling set_cookie) {
  Cacheable c;
  c.stale_while_revalidate = cc.stale_while_revalidate.value_or(0);
  c.stale_if_error = cc.stale_if_error;
  c.set_cookie = set_cookie;
  return c;
}

// §3.3: TTL = max(ErrorCachingMinTTL, min(value, MaxTTL)); ErrorCachingMinTTL alone when the
// origin gives no value or only other directives (no-store / no-cache / private included).
TtlDecision decideError(const TtlInputs& in, const ResponseCacheControl& cc, const HeaderFacts& f,
                        StatusClass k, SetCookieHandling set_cookie) {
  if (k == StatusClass::ErrorWithMaxAge && !cc.max_age && !cc.s_maxage) {
    return Uncacheable{NoCacheReason::ErrorWithoutMaxAge, set_cookie};
  }
  const int64_t floor = errorCachingMinTtl(in.error_responses, in.status);
  Cacheable c = base(cc, set_cookie);
  c.error_response = true;
  c.rule = TtlRule::ErrorCachingMinTtl;
  c.ttl_seconds = floor;
  TtlRule rule = TtlRule::ErrorCachingMinTtl;
  if (const auto v = originValue(cc, f, in.now, rule)) {
    c.rule = rule;
    c.origin_value = v;
    const int64_t capped = std::min(*v, in.ttl.max_ttl);
    if (capped < *v) c.clamp = TtlClamp::LoweredToMax;
    if (capped < floor) c.clamp = TtlClamp::RaisedToErrorMin;
    c.ttl_seconds = std::max(floor, capped);
  }
  if (c.ttl_seconds <= 0) return Uncacheable{NoCacheReason::ErrorTtlZero, set_cookie};
  return c;
}

std::optional<NoCacheReason> forbiddingDirective(const ResponseCacheControl& cc) {
  if (cc.no_store) return NoCacheReason::OriginNoStore;
  if (cc.no_cache) return NoCacheReason::OriginNoCache;
  if (cc.is_private) return NoCacheReason::OriginPrivate;
  return std::nullopt;
}

inline TtlDecision decide(const TtlInputs& in, const ResponseCacheControl& cc,
                          const HeaderFacts& f) {
  const SetCookieHandling set_cookie = setCookieHandling(f, cc, in.forwards_cookies);
  if (!methodCached(in)) return Uncacheable{NoCacheReason::MethodNotCached, set_cookie};
  const StatusClass k = classifyStatus(in.status);
  if (k == StatusClass::Never) return Uncacheable{NoCacheReason::StatusNotCacheable, set_cookie};
  if (k != StatusClass::Normal) return decideError(in, cc, f, k, set_cookie);

  const TtlSettings& t = in.ttl;
  if (t.max_ttl <= 0) return Uncacheable{NoCacheReason::CachingDisabled, set_cookie};
  Cacheable c = base(cc, set_cookie);
  if (const auto forbidden = forbiddingDirective(cc)) {  // §3.2 step 1
    if (t.min_ttl <= 0) return Uncacheable{*forbidden, set_cookie};
    c.rule = TtlRule::MinTtlOverride;
    c.overridden = forbidden;
    c.ttl_seconds = t.min_ttl;
    return c;
  }
  if (f.vary_star && t.min_ttl <= 0) {  // §3.8
    c.rule = TtlRule::VaryStar;
    c.ttl_seconds = 0;
    c.conditional_revalidation = false;
    return c;
  }
  TtlRule rule = TtlRule::DefaultTtl;
  const auto v = originValue(cc, f, in.now, rule);
  c.rule = rule;
  if (!v) {  // step 3
    c.ttl_seconds = std::max(t.min_ttl, t.default_ttl);
    if (t.min_ttl > t.default_ttl) c.clamp = TtlClamp::RaisedToMin;
    return c;
  }
  c.origin_value = v;  // step 4
  if (*v < t.min_ttl) c.clamp = TtlClamp::RaisedToMin;
  if (*v > t.max_ttl) c.clamp = TtlClamp::LoweredToMax;
  c.ttl_seconds = std::min(std::max(*v, t.min_ttl), t.max_ttl);
  return c;
}

std::string_view directiveName(NoCacheReason r) {
  switch (r) {
    case NoCacheReason::OriginNoStore: return "no-store";
    case NoCacheReason::OriginNoCache: return "no-cache";
    case NoCacheReason::OriginPrivate: return "private";
    default: return toString(r);
  }
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const TtlSettings& t) {
  return os << "{min " << t.min_ttl << ", default " << t.default_ttl << ", max " << t.max_ttl
            << '}';
}

TtlSettings ttlSettingsFor(const Behavior& behavior, const Config& config) {
  if (behavior.forwarded_values) {
    return {behavior.min_ttl, behavior.default_ttl, behavior.max_ttl};
  }
  const CachePolicy* p = config.findCachePolicy(behavior.cache_policy_id);
  if (p == nullptr) return {0, 0, 0};
  return {p->min_ttl, p->default_ttl, p->max_ttl};
}

int64_t errorCachingMinTtl(std::span<const CustomErrorResponse> responses, int status) {
  for (const CustomErrorResponse& r : responses) {
    if (r.error_code == status && r.error_caching_min_ttl) return *r.error_caching_min_ttl;
  }
  return kDefaultErrorCachingMinTtl;
}

std::string_view toString(TtlRule rule) {
  switch (rule) {
    case TtlRule::MinTtlOverride: return "min-ttl-override";
    case TtlRule::SMaxAge: return "s-maxage";
    case TtlRule::MaxAge: return "max-age";
    case TtlRule::Expires: return "expires";
    case TtlRule::DefaultTtl: return "default-ttl";
    case TtlRule::ErrorCachingMinTtl: return "error-caching-min-ttl";
    case TtlRule::VaryStar: return "vary-star";
  }
  return "?";
}

std::string_view toString(TtlClamp clamp) {
  switch (clamp) {
    case TtlClamp::None: return "none";
    case TtlClamp::RaisedToMin: return "raised-to-min-ttl";
    case TtlClamp::LoweredToMax: return "lowered-to-max-ttl";
    case TtlClamp::RaisedToErrorMin: return "raised-to-error-caching-min-ttl";
  }
  return "?";
}

std::string_view toString(SetCookieHandling h) {
  switch (h) {
    case SetCookieHandling::Absent: return "absent";
    case SetCookieHandling::Stripped: return "stripped";
    case SetCookieHandling::Stored: return "stored";
    case SetCookieHandling::NotStored: return "not-stored";
  }
  return "?";
}

std::string Cacheable::explanation() const {
  std::ostringstream os;
  if (error_response) os << "error response: ";
  switch (rule) {
    case TtlRule::MinTtlOverride:
      os << (overridden ? directiveName(*overridden) : "?") << " overridden by MinTTL "
         << ttl_seconds;
      return os.str();
    case TtlRule::SMaxAge: os << "s-maxage=" << origin_value.value_or(0); break;
    case TtlRule::MaxAge: os << "max-age=" << origin_value.value_or(0); break;
    case TtlRule::Expires: os << "Expires gives " << origin_value.value_or(0) << " s"; break;
    case TtlRule::DefaultTtl:
      os << "no s-maxage, max-age or Expires: "
         << (clamp == TtlClamp::RaisedToMin ? "MinTTL " : "DefaultTTL ") << ttl_seconds;
      return os.str();
    case TtlRule::ErrorCachingMinTtl: os << "ErrorCachingMinTTL " << ttl_seconds; return os.str();
    case TtlRule::VaryStar:
      os << "Vary: * with MinTTL 0: stored, every request forwarded unconditionally";
      return os.str();
  }
  switch (clamp) {
    case TtlClamp::None: os << " -> TTL " << ttl_seconds; break;
    case TtlClamp::RaisedToMin: os << " raised to MinTTL " << ttl_seconds; break;
    case TtlClamp::LoweredToMax: os << " clamped to MaxTTL " << ttl_seconds; break;
    case TtlClamp::RaisedToErrorMin: os << " raised to ErrorCachingMinTTL " << ttl_seconds; break;
  }
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Cacheable& c) {
  os << "Cacheable{ttl " << c.ttl_seconds << ", rule " << toString(c.rule) << ", clamp "
     << toString(c.clamp);
  if (c.origin_value) os << ", origin " << *c.origin_value;
  if (c.overridden) os << ", overrides " << *c.overridden;
  if (c.stale_while_revalidate) os << ", swr " << c.stale_while_revalidate;
  if (c.stale_if_error) os << ", sie " << *c.stale_if_error;
  if (c.error_response) os << ", error";
  if (!c.conditional_revalidation) os << ", unconditional";
  return os << ", set-cookie " << toString(c.set_cookie) << ": " << c.explanation() << '}';
}

std::ostream& operator<<(std::ostream& os, const Uncacheable& u) {
  return os << "Uncacheable{" << u.reason << ", set-cookie " << toString(u.set_cookie) << '}';
}

std::ostream& operator<<(std::ostream& os, const TtlDecision& d) {
  std::visit([&](const auto& v) { os << v; }, d);
  return os;
}

TtlDecision decideTtl(const TtlInputs& in) {
  ResponseCacheControl cc;
  const HeaderFacts f = scanHeaders<true>(in.headers, &cc);
  return decide(in, cc, f);
}

TtlDecision decideTtl(const TtlInputs& in, const ResponseCacheControl& cache_control) {
  const HeaderFacts f = scanHeaders<false>(in.headers, nullptr);
  return decide(in, cache_control, f);
}

}  // namespace edge::policies
