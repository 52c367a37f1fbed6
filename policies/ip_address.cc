#include "policies/ip_address.h"

#include <cstdio>

#include "policies/http_types.h"

namespace edge::policies {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Dotted quad into out[0..3]: four decimal parts 0–255, no leading zeros, no signs.
bool parseV4(std::string_view s, uint8_t* out) {
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') return false;
      s.remove_prefix(1);
    }
    size_t n = 0;
    unsigned value = 0;
    while (n < s.size() && n < 4 && isDigit(s[n]))
      value = value * 10 + static_cast<unsigned>(s[n++] - '0');
    if (n == 0 || n > 3 || value > 255 || (n > 1 && s[0] == '0')) return false;
    out[part] = static_cast<uint8_t>(value);
    s.remove_prefix(n);
  }
  return s.empty();
}

// RFC 4291 §2.2 text forms: eight groups of 1–4 hex digits, one "::" standing for one or more
// zero groups, and optionally a dotted quad as the last 32 bits.
bool parseV6(std::string_view s, uint8_t* out) {
  uint16_t head[8] = {}, tail[8] = {};
  int nhead = 0, ntail = 0;
  bool gap = false;
  if (s.starts_with("::")) {
    gap = true;
    s.remove_prefix(2);
  } else if (s.starts_with(':')) {
    return false;
  }
  while (!s.empty()) {
    uint16_t* groups = gap ? tail : head;
    int& n = gap ? ntail : nhead;
    const size_t colon = s.find(':');
    const std::string_view group = s.substr(0, colon);
    if (colon == std::string_view::npos && group.find('.') != std::string_view::npos) {
      uint8_t v4[4];
      if (nhead + ntail > 6 || !parseV4(group, v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[n++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      break;
    }
    if (group.empty() || group.size() > 4 || nhead + ntail >= 8) return false;
    unsigned value = 0;
    for (char c : group) {
      const int h = hexDigitValue(c);
      if (h < 0) return false;
      value = value << 4 | static_cast<unsigned>(h);
    }
    groups[n++] = static_cast<uint16_t>(value);
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
    if (s.starts_with(':')) {  // "::"
      if (gap) return false;
      gap = true;
      s.remove_prefix(1);
    } else if (s.empty()) {
      return false;  // trailing single ':'
    }
  }
  const int total = nhead + ntail;
  if (gap ? total > 7 : total != 8) return false;
  uint16_t groups[8] = {};
  for (int i = 0; i < nhead; ++i) groups[i] = head[i];
  for (int i = 0; i < ntail; ++i) groups[8 - ntail + i] = tail[i];
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(groups[i] & 0xff);
  }
  return true;
}

bool isV4Mapped(const std::array<uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

void clearHostBits(IpAddress& a, unsigned prefix) {
  const unsigned bytes = a.v6 ? 16 : 4;
  for (unsigned i = 0; i < bytes; ++i) {
    const unsigned first_bit = i * 8;
    if (first_bit >= prefix) {
      a.bytes[i] = 0;
    } else if (prefix - first_bit < 8) {
      a.bytes[i] &= static_cast<uint8_t>(0xff << (8 - (prefix - first_bit)));
    }
  }
}

}  // namespace

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  IpAddress a;
  if (text.find(':') == std::string_view::npos) {
    if (!parseV4(text, a.bytes.data())) return std::nullopt;
    return a;
  }
  const size_t zone = text.find('%');
  if (zone != std::string_view::npos) text = text.substr(0, zone);
  if (!parseV6(text, a.bytes.data())) return std::nullopt;
  a.v6 = true;
  if (isV4Mapped(a.bytes)) {
    IpAddress v4;
    for (int i = 0; i < 4; ++i) v4.bytes[i] = a.bytes[12 + i];
    return v4;
  }
  return a;
}

std::optional<IpRange> parseIpRange(std::string_view text) {
  const size_t slash = text.find('/');
  // A zone makes no sense in a range; refuse it rather than ignore it.
  if (text.substr(0, slash).find('%') != std::string_view::npos) return std::nullopt;
  // parseIpAddress folds ::ffff:a.b.c.d into IPv4, which would misread a v6 prefix length.
  std::optional<IpAddress> base;
  if (text.substr(0, slash).find(':') != std::string_view::npos) {
    IpAddress a;
    if (!parseV6(text.substr(0, slash), a.bytes.data())) return std::nullopt;
    a.v6 = true;
    base = a;
  } else {
    base = parseIpAddress(text.substr(0, slash));
  }
  if (!base) return std::nullopt;
  const unsigned max = base->v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) {
      return std::nullopt;
    }
    prefix = 0;
    for (char c : digits) {
      if (!isDigit(c)) return std::nullopt;
      prefix = prefix * 10 + static_cast<unsigned>(c - '0');
    }
    if (prefix > max) return std::nullopt;
  }
  clearHostBits(*base, prefix);
  return IpRange{*base, static_cast<uint8_t>(prefix)};
}

bool IpRange::contains(const IpAddress& a) const {
  IpAddress masked = a;
  if (masked.v6 != base.v6) {
    // A v4-mapped v6 range (::ffff:0:0/96 and longer) also covers the IPv4 addresses that
    // parseIpAddress folded out of their mapped form.
    if (!base.v6 || prefix < 96 || !isV4Mapped(base.bytes)) return false;
    IpAddress mapped;
    mapped.v6 = true;
    mapped.bytes[10] = mapped.bytes[11] = 0xff;
    for (int i = 0; i < 4; ++i) mapped.bytes[12 + i] = a.bytes[i];
    masked = mapped;
  }
  clearHostBits(masked, prefix);
  return masked == base;
}

std::string IpAddress::toString() const {
  char buf[48];
  if (!v6) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
    return buf;
  }
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i)
    groups[i] = static_cast<uint16_t>(bytes[2 * i] << 8 | bytes[2 * i + 1]);
  // RFC 5952 §4.2: compress the longest run (of at least two) of zero groups, the first on ties.
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", groups[i]);
    out += buf;
  }
  return out;
}

std::string IpRange::toString() const { return base.toString() + "/" + std::to_string(prefix); }

std::ostream& operator<<(std::ostream& os, const IpAddress& a) { return os << a.toString(); }
std::ostream& operator<<(std::ostream& os, const IpRange& r) { return os << r.toString(); }

}  // namespace edge::policies
