// CloudFront's InvalidationBatch (§8, [API:InvalidationBatch]) as the admin listener receives it
// in JSON: parsing and validation, and the error value every admin endpoint answers with.
// No I/O; loop thread or tests.
//
//   {"CallerReference": "deploy-42", "Paths": {"Quantity": 2, "Items": ["/a.jpg", "/img/*"]}}
//
// The same object wrapped as {"InvalidationBatch": {...}} (the API's XML root) is accepted too.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace edge::engine {

// §8 / §14 quotas. Invalidations complete at once here, so "in progress" is just the batch.
inline constexpr size_t kMaxInvalidationPaths = 3000;
inline constexpr size_t kMaxInvalidationWildcardPaths = 15;

struct InvalidationBatch {
  std::string caller_reference;
  std::vector<std::string> paths;  // Paths.Items in submitted order, each valid per §8
  bool operator==(const InvalidationBatch&) const = default;
};
std::ostream& operator<<(std::ostream& os, const InvalidationBatch& b);

// Whether a resubmission with the same CallerReference is the same request (§8): the same paths,
// in any order, duplicates counted.
bool samePaths(const InvalidationBatch& a, const InvalidationBatch& b);

// An admin API error, shaped like CloudFront's (`Code` is the API's error code).
struct ApiError {
  int status = 400;
  std::string code;     // MalformedInput, MissingBody, InvalidArgument, InconsistentQuantities,
                        // TooManyInvalidationsInProgress, InvalidationBatchAlreadyExists, …
  std::string field;    // the offending member, e.g. "Paths.Items[2]"; "" for the whole body
  std::string message;  // what is wrong with it
  // "field: message", or just the message without a field.
  std::string toString() const;
  bool operator==(const ApiError&) const = default;
};
std::ostream& operator<<(std::ostream& os, const ApiError& e);

// Parses and validates a request body. Errors (all 400):
//   MissingBody             empty body
//   MalformedInput          not JSON, or not a JSON object
//   InvalidArgument         CallerReference / Paths / Paths.Items missing or of the wrong type,
//                           no path at all, or a path failing policies::checkInvalidationPath
//                           (field "Paths.Items[i]")
//   InconsistentQuantities  Paths.Quantity differs from the number of Paths.Items
//   TooManyInvalidationsInProgress  more than 3,000 paths or more than 15 wildcard paths
// Unknown members are ignored.
tl::expected<InvalidationBatch, ApiError> parseInvalidationBatch(std::string_view body);

}  // namespace edge::engine
