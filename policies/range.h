// Range requests served from a cached object (§9.1, RFC 9110 §14). Pure.
//
// CloudFront rules (§9.1): a valid single range → 206 with Content-Range; several valid ranges →
// 206 multipart/byteranges (inf); a range starting at or beyond the object's length → 416 with
// `Content-Range: bytes */<length>` (inf); an INVALID Range header → 200 with the whole object —
// ranges not in ascending order (`300-400,100-200`), overlapping (`100-200,150-250`), or any
// malformed spec (negative numbers, last < first, junk). Range is ignored on methods other than
// GET (RFC 9110 §14.2), and a unit other than "bytes" is ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "policies/http_types.h"

namespace edge::policies {

// An inclusive byte range resolved against the object's length.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t length() const { return last - first + 1; }
  bool operator==(const ByteRange&) const = default;
};
std::ostream& operator<<(std::ostream& os, const ByteRange& r);

enum class RangeOutcome : uint8_t {
  Full,           // 200 with the whole object
  Partial,        // 206, one range
  Multipart,      // 206 multipart/byteranges, ranges ascending and disjoint
  Unsatisfiable,  // 416 (never cached, §3.3)
};
std::string_view toString(RangeOutcome o);
inline std::ostream& operator<<(std::ostream& os, RangeOutcome o) { return os << toString(o); }

// Why a Range header led to a full 200.
enum class RangeIgnored : uint8_t {
  NotIgnored,    // outcome is not Full, or there was no Range header
  NotGet,        // method other than GET
  OtherUnit,     // not "bytes"
  Malformed,     // syntax error, negative value, last < first, overflow, empty set
  NotAscending,  // a range starts before the previous one (§9.1)
  Overlapping,   // a range starts inside the previous one (§9.1)
};
std::string_view toString(RangeIgnored r);
inline std::ostream& operator<<(std::ostream& os, RangeIgnored r) { return os << toString(r); }

struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::Full;
  RangeIgnored ignored = RangeIgnored::NotIgnored;
  std::vector<ByteRange> ranges;  // Partial: one; Multipart: ≥ 2; otherwise empty
  bool operator==(const RangeDecision&) const = default;
};
std::ostream& operator<<(std::ostream& os, const RangeDecision& d);

// `range_header`: the Range value (nullopt when absent); `length`: the object's full length.
// Ranges entirely beyond the end are dropped; the result is 416 when none is left. A suffix range
// longer than the object selects the whole object; `-0` selects nothing (RFC 9110 §14.1.1).
RangeDecision decideRange(Method method, std::optional<std::string_view> range_header,
                          uint64_t length);

// "bytes 0-99/1000" (RFC 9110 §14.4).
std::string formatContentRange(const ByteRange& r, uint64_t length);
// "bytes */1000", for a 416.
std::string formatUnsatisfiedRange(uint64_t length);

}  // namespace edge::policies
