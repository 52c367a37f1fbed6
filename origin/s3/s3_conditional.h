// S3's conditional requests on objects (GetObject/HeadObject, and CopyObject's
// x-amz-copy-source-if-* headers). Pure.
//
// Precedence, as the S3 API reference documents it for GetObject:
//  1. If-Match present: no listed ETag matches (strong comparison, "*" matches) → 412; when it
//     matches, If-Unmodified-Since is not evaluated ("If-Match true and If-Unmodified-Since false
//     → 200").
//  2. Else If-Unmodified-Since (a valid HTTP-date): modified after it → 412.
//  3. If-None-Match present: a listed ETag matches (weak comparison, "*" matches) → 304 —
//     whatever If-Modified-Since says ("If-None-Match false and If-Modified-Since true → 304");
//     no match → If-Modified-Since is not evaluated (RFC 9110 §13.1.3).
//  4. Else If-Modified-Since (valid): not modified after it → 304.
// Times compare at one-second resolution (HTTP-dates have no fractions). Invalid dates are
// ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

#include "policies/http_types.h"

namespace edge::s3 {

enum class Precondition : uint8_t {
  Proceed,      // serve the object
  NotModified,  // 304 (CopyObject turns this into 412)
  Failed,       // 412 PreconditionFailed
};
std::string_view toString(Precondition p);
std::ostream& operator<<(std::ostream& os, Precondition p);

struct ConditionalHeaders {
  std::optional<std::string_view> if_match, if_none_match, if_modified_since, if_unmodified_since;
};
// If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since of a request.
ConditionalHeaders requestConditionals(const policies::HeaderList& h);
// x-amz-copy-source-if-match, …-if-none-match, …-if-modified-since, …-if-unmodified-since.
ConditionalHeaders copySourceConditionals(const policies::HeaderList& h);

// `etag` with its quotes; `last_modified_s` epoch seconds.
Precondition evaluatePreconditions(const ConditionalHeaders& c, std::string_view etag, int64_t last_modified_s);
// The header whose failure decided a 412 ("If-Match" …), for the error body's <Condition>.
std::string_view failedCondition(const ConditionalHeaders& c, std::string_view etag);

}  // namespace edge::s3
