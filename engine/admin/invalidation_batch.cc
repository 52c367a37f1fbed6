// nlohmann::json is used without exceptions: parse(…, allow_exceptions = false) and a type check
// before every get<>(), so a hostile body can only produce an ApiError.
#include "engine/admin/invalidation_batch.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "policies/invalidation.h"

namespace edge::engine {

namespace {

using Json = nlohmann::json;

tl::unexpected<ApiError> invalid(std::string field, std::string message,
                                 std::string code = "InvalidArgument") {
  return tl::unexpected(ApiError{400, std::move(code), std::move(field), std::move(message)});
}

// A short, printable rendering of a submitted value for messages.
std::string shown(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  out += s.substr(0, kMax);
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const InvalidationBatch& b) {
  os << "{CallerReference " << b.caller_reference << ", Paths [";
  for (size_t i = 0; i < b.paths.size(); ++i) os << (i ? " " : "") << b.paths[i];
  return os << "]}";
}

bool samePaths(const InvalidationBatch& a, const InvalidationBatch& b) {
  if (a.paths.size() != b.paths.size()) return false;
  std::vector<std::string> x = a.paths;
  std::vector<std::string> y = b.paths;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

std::string ApiError::toString() const { return field.empty() ? message : field + ": " + message; }

std::ostream& operator<<(std::ostream& os, const ApiError& e) {
  return os << e.status << ' ' << e.code << ": " << e.toString();
}

tl::expected<InvalidationBatch, ApiError> parseInvalidationBatch(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return invalid("", "the request body is empty; send an InvalidationBatch", "MissingBody");
  }
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return invalid("", "the request body is not valid JSON", "MalformedInput");
  }
  if (doc.is_object() && doc.size() == 1 && doc.contains("InvalidationBatch")) {
    Json inner = std::move(doc["InvalidationBatch"]);
    doc = std::move(inner);
  }
  if (!doc.is_object()) {
    return invalid("", "the request body must be a JSON object (an InvalidationBatch)",
                   "MalformedInput");
  }

  InvalidationBatch batch;
  const auto ref = doc.find("CallerReference");
  if (ref == doc.end()) return invalid("CallerReference", "is required");
  if (!ref->is_string()) return invalid("CallerReference", "must be a string");
  batch.caller_reference = ref->get<std::string>();
  if (batch.caller_reference.empty()) return invalid("CallerReference", "must not be empty");

  const auto paths = doc.find("Paths");
  if (paths == doc.end()) return invalid("Paths", "is required");
  if (!paths->is_object()) return invalid("Paths", "must be an object with Quantity and Items");
  const auto quantity = paths->find("Quantity");
  if (quantity == paths->end()) return invalid("Paths.Quantity", "is required");
  if (!quantity->is_number_integer()) return invalid("Paths.Quantity", "must be an integer");
  // nlohmann stores every non-negative integer literal as unsigned.
  if (!quantity->is_number_unsigned()) return invalid("Paths.Quantity", "must not be negative");
  const uint64_t declared = quantity->get<uint64_t>();
  const auto items = paths->find("Items");
  if (items == paths->end()) {
    if (declared == 0) return invalid("Paths.Items", "must contain at least one path");
    return invalid("Paths.Items", "is required when Paths.Quantity is " + std::to_string(declared));
  }
  if (!items->is_array()) return invalid("Paths.Items", "must be an array of paths");
  if (declared != items->size()) {
    return invalid("Paths.Quantity",
                   "is " + std::to_string(declared) + " but Paths.Items has " +
                       std::to_string(items->size()) + " path(s)",
                   "InconsistentQuantities");
  }
  if (items->empty()) return invalid("Paths.Items", "must contain at least one path");
  if (items->size() > kMaxInvalidationPaths) {
    return invalid("Paths.Items",
                   std::to_string(items->size()) + " paths; at most " +
                       std::to_string(kMaxInvalidationPaths) + " per invalidation",
                   "TooManyInvalidationsInProgress");
  }

  size_t wildcards = 0;
  batch.paths.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    const Json& item = (*items)[i];
    const std::string field = "Paths.Items[" + std::to_string(i) + "]";
    if (!item.is_string()) return invalid(field, "must be a string");
    std::string path = item.get<std::string>();
    if (auto err = policies::checkInvalidationPath(path)) {
      return invalid(field, shown(path) + ": " + std::string(policies::toString(*err)));
    }
    if (policies::isWildcardInvalidationPath(path)) ++wildcards;
    batch.paths.push_back(std::move(path));
  }
  if (wildcards > kMaxInvalidationWildcardPaths) {
    return invalid("Paths.Items",
                   std::to_string(wildcards) + " wildcard paths; at most " +
                       std::to_string(kMaxInvalidationWildcardPaths) + " per invalidation",
                   "TooManyInvalidationsInProgress");
  }
  return batch;
}

}  // namespace edge::engine
