// How CloudFront treats the origin's Vary (§3.8). The response Vary never builds the cache key
// (only the cache policy does) and never makes an object uncacheable; the only value with a
// caching effect is `*` with MinTTL 0 (decideTtl: TTL 0, no conditional revalidation). What the
// viewer sees is filtered. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "policies/forwarding_rules.h"
#include "policies/http_types.h"

namespace edge::policies {

// True when a Vary field value lists `*` as a member.
bool varyHasStar(std::string_view vary_value);

enum class VaryTreatment : uint8_t {
  None,         // no Vary, or only names: cached by the cache key alone
  StarForward,  // Vary: * with MinTTL 0: stored, every later request forwarded without validators
};
std::string_view toString(VaryTreatment t);
inline std::ostream& operator<<(std::ostream& os, VaryTreatment t) { return os << toString(t); }
// §3.8: `Vary: *` + MinTTL 0 → StarForward; `*` with MinTTL > 0 is "like any other Vary value".
VaryTreatment classifyVary(const HeaderList& response_headers, int64_t min_ttl);

// §3.8: the Vary value sent to the viewer: Accept-Encoding and Cookie always kept; User-Agent kept
// when a CloudFront-Is-*-Viewer header is forwarded; any name the configuration forwards to the
// origin (key, ORP or legacy whitelist) kept; every other member (and `*`, inf) removed. Members
// keep their spelling and order and are joined with ", ". nullopt when nothing remains (the
// header is then removed, inf). `vary_value` is all Vary lines joined with ", ".
std::optional<std::string> viewerVary(std::string_view vary_value, const ForwardingRules& rules);
// Rewrites the Vary lines of a response on its way to the viewer (and into the cache) with
// viewerVary(): one line, or none.
void applyViewerVary(HeaderList& headers, const ForwardingRules& rules);

}  // namespace edge::policies
