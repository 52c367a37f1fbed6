// Viewer conditional requests answered from a cached object (§3.6, §4.6, RFC 9110 §13). Pure.
// Only If-None-Match and If-Modified-Since are evaluated by the cache (§3.6); If-Match and
// If-Unmodified-Since are not (CloudFront documents neither for cached objects; the engine
// forwards them on misses). If-Range is in ifRangeAllowsPartial (used with range.h).
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>

#include "policies/http_types.h"

namespace edge::policies {

enum class ConditionalResult : uint8_t {
  Unconditional,  // no (usable) condition, or it did not match: serve the object normally
  NotModified,    // 304 from the cache
};
std::string_view toString(ConditionalResult r);
inline std::ostream& operator<<(std::ostream& os, ConditionalResult r) {
  return os << toString(r);
}

// RFC 9110 §13.2.2 order, restricted to GET/HEAD:
//  1. If-None-Match present: 304 when any listed entity-tag matches the stored ETag by weak
//     comparison (so a compressed variant's W/"x" matches, §4.6), or it is "*"; otherwise serve
//     normally — If-Modified-Since is then ignored (RFC 9110 §13.1.3).
//  2. Else If-Modified-Since with one valid HTTP-date: 304 when the stored Last-Modified (else
//     the stored Date, else `stored_at`, RFC 9111 §4.3.2) is not later than it.
// An unparsable If-None-Match (no well-formed entity-tag) counts as "no match"; an invalid
// If-Modified-Since is ignored.
ConditionalResult evaluateViewerConditional(Method method, const HeaderList& request_headers,
                                            const HeaderList& stored_response_headers,
                                            int64_t stored_at);

// RFC 9110 §8.8.3.2: W/"a" and "a" are weakly equal; "a" and "b" are not. Malformed tags never
// match.
bool weakEtagMatch(std::string_view a, std::string_view b);
// Both strong and identical (If-Range, RFC 9110 §13.1.5).
bool strongEtagMatch(std::string_view a, std::string_view b);
// If-None-Match value against the stored ETag (weak comparison; "*" matches any stored object).
bool ifNoneMatchMatches(std::string_view if_none_match, std::string_view stored_etag);

// RFC 9110 §13.1.5: a Range request carrying If-Range gets the range only when the validator
// still matches: an entity-tag by strong comparison with the stored ETag, or an HTTP-date equal
// to the stored Last-Modified. Otherwise (or if unparsable) the whole object is sent (200).
bool ifRangeAllowsPartial(std::string_view if_range, const HeaderList& stored_response_headers);

// RFC 9110 §15.4.5: the stored fields a 304 from the cache carries: Cache-Control,
// Content-Location, Date, ETag, Expires, Last-Modified, Vary (the engine then adds Age and the
// edge headers).
HeaderList notModifiedHeaders(const HeaderList& stored_response_headers);

}  // namespace edge::policies
