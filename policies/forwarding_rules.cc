#include "policies/forwarding_rules.h"

#include "policies/compression.h"

#include <algorithm>

#include "policies/behavior_match.h"

namespace edge::policies {

namespace {

bool listedCi(const std::vector<std::string>& names, std::string_view n) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& x) { return iequals(x, n); });
}

bool listedExact(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

}  // namespace

ForwardingRules resolveForwardingRules(const Behavior& behavior, const Config& config) {
  ForwardingRules r;
  r.behavior = &behavior;
  if (behavior.forwarded_values) {
    r.legacy = &*behavior.forwarded_values;
  } else {
    r.cache = config.findCachePolicy(behavior.cache_policy_id);
    r.orp = config.findOriginRequestPolicy(behavior.origin_request_policy_id);
  }
  r.signing = requiresSignedRequests(behavior);
  r.compress = edgeCompression(behavior, config);
  return r;
}

bool requiresSignedRequests(const Behavior& behavior) {
  return behavior.trusted_key_groups_enabled || behavior.trusted_signers_enabled;
}

bool isSigningQueryParam(std::string_view name) {
  for (std::string_view n : {"Expires", "Key-Pair-Id", "Policy", "Signature", "Hash-Algorithm"}) {
    if (name == n) return true;
  }
  return false;
}

bool isSigningCookie(std::string_view name) {
  for (std::string_view n : {"CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id",
                             "CloudFront-Expires", "CloudFront-Hash-Algorithm"}) {
    if (name == n) return true;
  }
  return false;
}

bool nameListSelects(const NameList& list, std::string_view name, bool case_insensitive) {
  const bool listed = case_insensitive ? listedCi(list.names, name) : listedExact(list.names, name);
  switch (list.behavior) {
    case ListBehavior::None: return false;
    case ListBehavior::Whitelist: return listed;
    case ListBehavior::AllExcept: return !listed;
    case ListBehavior::All:
    case ListBehavior::AllViewer:
    case ListBehavior::AllViewerAndWhitelistCloudFront: return true;
  }
  return false;
}

bool cookieNameMatchesAny(const std::vector<std::string>& patterns, std::string_view name) {
  // Cookie names never start with '/', so the path-pattern glob (`*`, `?`, anchored) is the
  // same match.
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return matchPathPattern(p, name); });
}

bool legacyCookieWhitelisted(const ForwardedValues& fv, std::string_view name) {
  return cookieNameMatchesAny(fv.cookie_names, name);
}

bool headerForwardedByConfig(const ForwardingRules& r, std::string_view name) {
  if (r.legacy) return listedCi(r.legacy->headers, "*") || listedCi(r.legacy->headers, name);
  if (r.cache && r.cache->headers.behavior == ListBehavior::Whitelist &&
      listedCi(r.cache->headers.names, name)) {
    return true;
  }
  return r.orp && nameListSelects(r.orp->headers, name, true);
}

bool cookieForwarded(const ForwardingRules& r, std::string_view name) {
  if (r.signing && isSigningCookie(name)) return false;
  if (r.legacy) {
    switch (r.legacy->cookie_forward) {
      case ForwardedValues::CookieForward::None: return false;
      case ForwardedValues::CookieForward::All: return true;
      case ForwardedValues::CookieForward::Whitelist:
        return legacyCookieWhitelisted(*r.legacy, name);
    }
    return false;
  }
  return (r.cache && nameListSelects(r.cache->cookies, name, false)) ||
         (r.orp && nameListSelects(r.orp->cookies, name, false));
}

bool queryParamForwarded(const ForwardingRules& r, std::string_view name) {
  if (r.signing && isSigningQueryParam(name)) return false;
  if (r.legacy) return r.legacy->query_string;
  return (r.cache && nameListSelects(r.cache->query_strings, name, false)) ||
         (r.orp && nameListSelects(r.orp->query_strings, name, false));
}

bool forwardsCookies(const ForwardingRules& r) {
  if (r.legacy) return r.legacy->cookie_forward != ForwardedValues::CookieForward::None;
  return (r.cache && r.cache->cookies.behavior != ListBehavior::None) ||
         (r.orp && r.orp->cookies.behavior != ListBehavior::None);
}

}  // namespace edge::policies
