#include "policies/config.h"

#include <algorithm>
#include <charconv>

namespace edge::policies {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool isIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t n = 0;
    while (n < s.size() && isDigit(s[n])) ++n;
    if (n == 0 || n > 3) return false;
    int value = 0;
    std::from_chars(s.data(), s.data() + n, value);
    if (value > 255) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) return parts == 4;
    if (s.front() != '.' || parts == 4) return false;
    s.remove_prefix(1);
  }
}

// Textual IPv6 (RFC 4291 §2.2): up to 8 groups of 1–4 hex digits, at most one "::", optionally
// ending in a dotted IPv4 address. No zone ids.
bool isIpv6(std::string_view s) {
  if (s.size() < 2) return false;
  const size_t dcolon = s.find("::");
  if (dcolon != std::string_view::npos && s.find("::", dcolon + 1) != std::string_view::npos) {
    return false;
  }
  int groups = 0;
  size_t i = 0;
  if (dcolon == 0) i = 2;
  while (i < s.size()) {
    size_t n = 0;
    while (i + n < s.size() && isHex(s[i + n])) ++n;
    if (i + n < s.size() && s[i + n] == '.') {  // trailing IPv4 counts as two groups
      if (!isIpv4(s.substr(i))) return false;
      groups += 2;
      i = s.size();
      break;
    }
    if (n == 0 || n > 4) return false;
    ++groups;
    i += n;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    if (i == dcolon) {
      i += 2;
    } else {
      ++i;
      if (i == s.size()) return false;  // trailing single ':'
    }
  }
  return dcolon == std::string_view::npos ? groups == 8 : groups <= 7;
}

}  // namespace

std::string ListenAddress::toString() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + host + "]" : host;
  out += ':';
  out += std::to_string(port);
  return out;
}

std::optional<ListenAddress> parseListenAddress(std::string_view text) {
  ListenAddress addr;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    const std::string_view host = text.substr(1, close - 1);
    if (!isIpv6(host)) return std::nullopt;
    addr.host = std::string(host);
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view host = text.substr(0, colon);
    if (host != "localhost" && !isIpv4(host)) return std::nullopt;
    addr.host = std::string(host);
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), isDigit)) {
    return std::nullopt;
  }
  unsigned port = 0;
  std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port > 65535) return std::nullopt;
  addr.port = static_cast<uint16_t>(port);
  return addr;
}

bool Behavior::allows(Method m) const {
  return std::find(allowed_methods.begin(), allowed_methods.end(), m) != allowed_methods.end();
}

const Origin* Config::findOrigin(std::string_view id) const {
  for (const Origin& o : distribution.origins) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

const CachePolicy* Config::findCachePolicy(std::string_view id) const {
  const auto it = cache_policies.find(std::string(id));
  return it == cache_policies.end() ? nullptr : &it->second;
}

const OriginRequestPolicy* Config::findOriginRequestPolicy(std::string_view id) const {
  const auto it = origin_request_policies.find(std::string(id));
  return it == origin_request_policies.end() ? nullptr : &it->second;
}

std::string_view toString(SigningBehavior b) {
  switch (b) {
    case SigningBehavior::Always: return "always";
    case SigningBehavior::Never: return "never";
    case SigningBehavior::NoOverride: return "no-override";
  }
  return "?";
}

std::string_view toString(ListBehavior b) {
  switch (b) {
    case ListBehavior::None: return "none";
    case ListBehavior::Whitelist: return "whitelist";
    case ListBehavior::AllExcept: return "allExcept";
    case ListBehavior::All: return "all";
    case ListBehavior::AllViewer: return "allViewer";
    case ListBehavior::AllViewerAndWhitelistCloudFront: return "allViewerAndWhitelistCloudFront";
  }
  return "?";
}

}  // namespace edge::policies
