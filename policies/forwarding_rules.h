// Which parts of a viewer request a behaviour forwards to the origin and which it keys on,
// resolved from the cache policy (+ origin request policy) or the legacy ForwardedValues
// (§2.2, §2.5, §2.8, §3.10, §5.9, §5.10). Shared by origin_request.cc (what is sent),
// cache_key.cc (what is keyed), viewer_response.cc and vary.cc so the rules live in one place.
// Pure; ForwardingRules points into the Config it was resolved from and must not outlive it.
#pragma once

#include <string_view>

#include "policies/config.h"

namespace edge::policies {

struct ForwardingRules {
  const Behavior* behavior = nullptr;
  const ForwardedValues* legacy = nullptr;  // non-null: legacy model (forwarding implies keying)
  const CachePolicy* cache = nullptr;       // policy model; null when legacy or unresolvable
  const OriginRequestPolicy* orp = nullptr;
  bool signing = false;   // requiresSignedRequests(*behavior)
  bool compress = false;  // edgeCompression(): Range requests fetch the identity form (§4.5)
};
ForwardingRules resolveForwardingRules(const Behavior& behavior, const Config& config);

// §5.1: TrustedKeyGroups or TrustedSigners enabled. Only such behaviours drop the signing query
// parameters and cookies from the origin request and the cache key (§5.9, §5.10); elsewhere a
// parameter named `Expires` is an ordinary parameter.
bool requiresSignedRequests(const Behavior& behavior);
// §5.9: Expires, Key-Pair-Id, Policy, Signature, Hash-Algorithm (names are case-sensitive).
bool isSigningQueryParam(std::string_view name);
// §5.10: CloudFront-Policy, -Signature, -Key-Pair-Id, -Expires, -Hash-Algorithm.
bool isSigningCookie(std::string_view name);

// Does a policy NameList select `name`? Header names compare case-insensitively, cookie and
// query-string names byte-exactly (§2.2, §2.4).
bool nameListSelects(const NameList& list, std::string_view name, bool case_insensitive);
// §2.8: a legacy whitelisted cookie name may use `*` (0+ chars) and `?` (exactly one char).
bool cookieNameMatchesAny(const std::vector<std::string>& patterns, std::string_view name);
bool legacyCookieWhitelisted(const ForwardedValues& fv, std::string_view name);

// A viewer header the configuration names: legacy whitelist (or "*"), cache-key whitelist, or
// the origin request policy.
bool headerForwardedByConfig(const ForwardingRules& r, std::string_view name);
// A cookie sent to the origin (legacy forward, cache key or ORP; never a signing cookie on a
// signing behaviour).
bool cookieForwarded(const ForwardingRules& r, std::string_view name);
// A query parameter sent to the origin (same sources; never a signing parameter on a signing
// behaviour).
bool queryParamForwarded(const ForwardingRules& r, std::string_view name);
// §3.10: the behaviour forwards cookies at all (legacy Forward != none, or the cache policy or
// ORP cookie behaviour is not none). Decides whether Set-Cookie is kept and cached.
bool forwardsCookies(const ForwardingRules& r);

}  // namespace edge::policies
