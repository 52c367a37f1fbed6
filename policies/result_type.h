// x-edge-result-type (cloudfront-behavior.md §10) as a value: how an exchange ended, from the
// X-Cache header the viewer was sent (§6.2) and what the edge knew about an error. The access log
// prints it and the metrics count requests by it, both without allocating. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>

namespace edge::policies {

enum class ResultType : uint8_t {
  Hit,               // served from the cache ("Hit from cloudfront")
  RefreshHit,        // stored copy revalidated with the origin
  Miss,              // fetched from the origin (cacheable or not)
  Redirect,          // the edge redirected the viewer (ViewerProtocolPolicy)
  LimitExceeded,     // refused: a limit of the distribution (§7.4)
  CapacityExceeded,  // refused: the edge has no capacity left (503, §7.4)
  Error,             // an error response, or an exchange cut off before its end
};
inline constexpr size_t kResultTypeCount = static_cast<size_t>(ResultType::Error) + 1;
std::string_view toString(ResultType t);
inline std::ostream& operator<<(std::ostream& os, ResultType t) { return os << toString(t); }

// The first word of the X-Cache value sent ("Hit from cloudfront" → Hit). No X-Cache (""), or a
// word edged never sends, is Error.
ResultType xCacheResultType(std::string_view x_cache);

// x-edge-response-result-type: the X-Cache word, unless `detailed_result` (the edge's own
// x-edge-detailed-result-type, may be empty) says CapacityExceeded or LimitExceeded.
ResultType responseResultType(ResultType x_cache_type, std::string_view detailed_result);

// x-edge-result-type: the response's type when the exchange completed (finished with a status
// sent), Error when it was cut off.
inline ResultType finalResultType(ResultType response_type, bool complete) {
  return complete ? response_type : ResultType::Error;
}

}  // namespace edge::policies
