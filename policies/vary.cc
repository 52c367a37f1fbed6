#include "policies/vary.h"

namespace edge::policies {

namespace {

template <typename F>
void forEachMember(std::string_view value, F&& f) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view member = trimOws(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (!member.empty()) f(member);
  }
}

bool isDeviceHeader(std::string_view name) {
  const std::string lower = toLower(name);
  return lower.starts_with("cloudfront-is-") && lower.ends_with("-viewer");
}

bool anyDeviceHeader(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (isDeviceHeader(n)) return true;
  }
  return false;
}

// A CloudFront-Is-*-Viewer header is sent to the origin (§13.3: only when a list names it).
bool deviceHeaderForwarded(const ForwardingRules& r) {
  if (r.legacy) return anyDeviceHeader(r.legacy->headers);
  if (r.cache && r.cache->headers.behavior == ListBehavior::Whitelist &&
      anyDeviceHeader(r.cache->headers.names)) {
    return true;
  }
  return r.orp &&
         (r.orp->headers.behavior == ListBehavior::Whitelist ||
          r.orp->headers.behavior == ListBehavior::AllViewerAndWhitelistCloudFront) &&
         anyDeviceHeader(r.orp->headers.names);
}

}  // namespace

bool varyHasStar(std::string_view vary_value) {
  bool star = false;
  forEachMember(vary_value, [&](std::string_view m) { star = star || m == "*"; });
  return star;
}

std::string_view toString(VaryTreatment t) {
  switch (t) {
    case VaryTreatment::None: return "none";
    case VaryTreatment::StarForward: return "star-forward";
  }
  return "?";
}

VaryTreatment classifyVary(const HeaderList& response_headers, int64_t min_ttl) {
  if (min_ttl > 0) return VaryTreatment::None;
  for (const Header& h : response_headers) {
    if (iequals(h.name, "vary") && varyHasStar(h.value)) return VaryTreatment::StarForward;
  }
  return VaryTreatment::None;
}

std::optional<std::string> viewerVary(std::string_view vary_value, const ForwardingRules& rules) {
  std::string out;
  const bool device = deviceHeaderForwarded(rules);
  forEachMember(vary_value, [&](std::string_view m) {
    const bool keep = iequals(m, "accept-encoding") || iequals(m, "cookie") ||
                      (device && iequals(m, "user-agent")) ||
                      (m != "*" && headerForwardedByConfig(rules, m));
    if (!keep) return;
    if (!out.empty()) out += ", ";
    out += m;
  });
  if (out.empty()) return std::nullopt;
  return out;
}

void applyViewerVary(HeaderList& headers, const ForwardingRules& rules) {
  const std::optional<std::string> joined = headers.getJoined("vary");
  if (!joined) return;
  headers.remove("vary");
  if (auto kept = viewerVary(*joined, rules)) headers.add("Vary", std::move(*kept));
}

}  // namespace edge::policies
