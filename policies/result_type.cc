#include "policies/result_type.h"

namespace edge::policies {

std::string_view toString(ResultType t) {
  switch (t) {
    case ResultType::Hit: return "Hit";
    case ResultType::RefreshHit: return "RefreshHit";
    case ResultType::Miss: return "Miss";
    case ResultType::Redirect: return "Redirect";
    case ResultType::LimitExceeded: return "LimitExceeded";
    case ResultType::CapacityExceeded: return "CapacityExceeded";
    case ResultType::Error: return "Error";
  }
  return "Error";
}

ResultType xCacheResultType(std::string_view x_cache) {
  const std::string_view word = x_cache.substr(0, x_cache.find(' '));
  if (word == "Hit") return ResultType::Hit;
  if (word == "RefreshHit") return ResultType::RefreshHit;
  if (word == "Miss") return ResultType::Miss;
  if (word == "Redirect") return ResultType::Redirect;
  return ResultType::Error;
}

ResultType responseResultType(ResultType x_cache_type, std::string_view detailed_result) {
  if (detailed_result == "CapacityExceeded") return ResultType::CapacityExceeded;
  if (detailed_result == "LimitExceeded") return ResultType::LimitExceeded;
  return x_cache_type;
}

}  // namespace edge::policies
