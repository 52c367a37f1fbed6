#include "policies/range.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace edge::policies {

namespace {

constexpr uint64_t kOpen = std::numeric_limits<uint64_t>::max();

// One range-spec before resolution: first-last, first- (last = kOpen) or -suffix.
struct Spec {
  bool suffix = false;
  uint64_t first = 0;  // or the suffix length
  uint64_t last = kOpen;
};

bool parseNumber(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parseSpec(std::string_view s, Spec& out) {
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view a = trimOws(s.substr(0, dash));
  const std::string_view b = trimOws(s.substr(dash + 1));
  if (a.empty()) {  // -suffix
    out.suffix = true;
    return parseNumber(b, out.first);
  }
  if (!parseNumber(a, out.first)) return false;
  if (b.empty()) return true;
  return parseNumber(b, out.last) && out.last >= out.first;
}

RangeDecision full(RangeIgnored why) { return {RangeOutcome::Full, why, {}}; }

}  // namespace

std::ostream& operator<<(std::ostream& os, const ByteRange& r) {
  return os << r.first << '-' << r.last;
}

std::string_view toString(RangeOutcome o) {
  switch (o) {
    case RangeOutcome::Full: return "full";
    case RangeOutcome::Partial: return "partial";
    case RangeOutcome::Multipart: return "multipart";
    case RangeOutcome::Unsatisfiable: return "unsatisfiable";
  }
  return "?";
}

std::string_view toString(RangeIgnored r) {
  switch (r) {
    case RangeIgnored::NotIgnored: return "not-ignored";
    case RangeIgnored::NotGet: return "not-get";
    case RangeIgnored::OtherUnit: return "other-unit";
    case RangeIgnored::Malformed: return "malformed";
    case RangeIgnored::NotAscending: return "not-ascending";
    case RangeIgnored::Overlapping: return "overlapping";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const RangeDecision& d) {
  os << '{' << toString(d.outcome);
  if (d.ignored != RangeIgnored::NotIgnored) os << " (" << toString(d.ignored) << ')';
  for (const ByteRange& r : d.ranges) os << ' ' << r;
  return os << '}';
}

RangeDecision decideRange(Method method, std::optional<std::string_view> range_header,
                          uint64_t length) {
  if (!range_header) return full(RangeIgnored::NotIgnored);
  if (method != Method::Get) return full(RangeIgnored::NotGet);
  std::string_view value = trimOws(*range_header);
  const size_t eq = value.find('=');
  if (eq == std::string_view::npos) return full(RangeIgnored::Malformed);
  if (!iequals(trimOws(value.substr(0, eq)), "bytes")) return full(RangeIgnored::OtherUnit);
  value.remove_prefix(eq + 1);

  // Resolve each spec to [first, last] (last may stay kOpen) and check the order on the way:
  // §9.1 rejects descending and overlapping sets as a whole.
  RangeDecision d;
  bool have_prev = false;
  uint64_t prev_first = 0, prev_last = 0;
  bool any = false;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view item = trimOws(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (item.empty()) continue;  // RFC 9110 §5.6.1: empty list elements are allowed
    Spec s;
    if (!parseSpec(item, s)) return full(RangeIgnored::Malformed);
    any = true;
    uint64_t first = s.first, last = s.last;
    bool satisfiable = true;
    if (s.suffix) {
      satisfiable = s.first > 0 && length > 0;
      first = s.first >= length ? 0 : length - s.first;
      last = length == 0 ? 0 : length - 1;
    } else {
      satisfiable = first < length;
    }
    if (have_prev) {
      if (first < prev_first) return full(RangeIgnored::NotAscending);
      if (first <= prev_last) return full(RangeIgnored::Overlapping);
    }
    have_prev = true;
    prev_first = first;
    prev_last = last;
    if (satisfiable) d.ranges.push_back({first, std::min(last, length - 1)});
  }
  if (!any) return full(RangeIgnored::Malformed);
  if (d.ranges.empty()) {
    d.outcome = RangeOutcome::Unsatisfiable;
  } else {
    d.outcome = d.ranges.size() == 1 ? RangeOutcome::Partial : RangeOutcome::Multipart;
  }
  return d;
}

std::string formatContentRange(const ByteRange& r, uint64_t length) {
  return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
         std::to_string(length);
}

std::string formatUnsatisfiedRange(uint64_t length) { return "bytes */" + std::to_string(length); }

}  // namespace edge::policies
