#include "engine/admin/invalidation_batch.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace edge::engine {
namespace {

using Json = nlohmann::json;

std::string batchJson(const Json& items, int64_t quantity, const char* ref = "ref-1") {
  return Json{{"CallerReference", ref}, {"Paths", {{"Quantity", quantity}, {"Items", items}}}}
      .dump();
}

TEST(InvalidationBatchParse, AcceptsCloudFrontShape) {
  auto b = parseInvalidationBatch(
      R"({"CallerReference": "deploy-42",
          "Paths": {"Quantity": 3, "Items": ["/images/*", "/index.html", "/a.jpg?v=2"]}})");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->caller_reference, "deploy-42");
  EXPECT_EQ(b->paths, (std::vector<std::string>{"/images/*", "/index.html", "/a.jpg?v=2"}));
}

TEST(InvalidationBatchParse, AcceptsTheWrappedFormAndIgnoresUnknownMembers) {
  auto b = parseInvalidationBatch(
      R"({"InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/x"], "Extra": 1},
                                "CallerReference": "r", "Comment": "ignored"}})");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->caller_reference, "r");
  EXPECT_EQ(b->paths, (std::vector<std::string>{"/x"}));
}

TEST(InvalidationBatchParse, AcceptsTheQuotaExactly) {
  Json items = Json::array();
  for (size_t i = 0; i < kMaxInvalidationPaths - kMaxInvalidationWildcardPaths; ++i) {
    items.push_back("/p" + std::to_string(i));
  }
  for (size_t i = 0; i < kMaxInvalidationWildcardPaths; ++i) {
    items.push_back("/w" + std::to_string(i) + "/*");
  }
  auto b = parseInvalidationBatch(batchJson(items, static_cast<int64_t>(items.size())));
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->paths.size(), kMaxInvalidationPaths);
}

struct ErrorRow {
  const char* name;
  std::string body;
  const char* code;
  const char* field;
  const char* message_part;
};
std::ostream& operator<<(std::ostream& os, const ErrorRow& r) { return os << r.name; }

std::string manyPaths(size_t n, bool wildcard) {
  Json items = Json::array();
  for (size_t i = 0; i < n; ++i) items.push_back("/p" + std::to_string(i) + (wildcard ? "*" : ""));
  return batchJson(items, static_cast<int64_t>(n));
}

class InvalidationBatchErrors : public ::testing::TestWithParam<ErrorRow> {};
TEST_P(InvalidationBatchErrors, NamesCodeAndField) {
  const ErrorRow& row = GetParam();
  auto b = parseInvalidationBatch(row.body);
  ASSERT_FALSE(b) << *b;
  EXPECT_EQ(b.error().status, 400);
  EXPECT_EQ(b.error().code, row.code) << b.error();
  EXPECT_EQ(b.error().field, row.field) << b.error();
  EXPECT_NE(b.error().message.find(row.message_part), std::string::npos) << b.error();
  if (!std::string(row.field).empty()) {
    EXPECT_TRUE(b.error().toString().starts_with(std::string(row.field) + ": ")) << b.error();
  }
}
INSTANTIATE_TEST_SUITE_P(
    Rows, InvalidationBatchErrors,
    ::testing::Values(
        ErrorRow{"Empty", "  \n", "MissingBody", "", "empty"},
        ErrorRow{"NotJson", "{\"CallerReference\": ", "MalformedInput", "", "not valid JSON"},
        ErrorRow{"NotObject", "[1]", "MalformedInput", "", "JSON object"},
        ErrorRow{"NoCallerReference", R"({"Paths": {"Quantity": 1, "Items": ["/a"]}})",
                 "InvalidArgument", "CallerReference", "required"},
        ErrorRow{"CallerReferenceNotString",
                 R"({"CallerReference": 7, "Paths": {"Quantity": 1, "Items": ["/a"]}})",
                 "InvalidArgument", "CallerReference", "string"},
        ErrorRow{"CallerReferenceEmpty",
                 R"({"CallerReference": "", "Paths": {"Quantity": 1, "Items": ["/a"]}})",
                 "InvalidArgument", "CallerReference", "empty"},
        ErrorRow{"NoPaths", R"({"CallerReference": "r"})", "InvalidArgument", "Paths", "required"},
        ErrorRow{"PathsNotObject", R"({"CallerReference": "r", "Paths": ["/a"]})",
                 "InvalidArgument", "Paths", "object"},
        ErrorRow{"NoQuantity", R"({"CallerReference": "r", "Paths": {"Items": ["/a"]}})",
                 "InvalidArgument", "Paths.Quantity", "required"},
        ErrorRow{"QuantityNotInteger",
                 R"({"CallerReference": "r", "Paths": {"Quantity": "1", "Items": ["/a"]}})",
                 "InvalidArgument", "Paths.Quantity", "integer"},
        ErrorRow{"QuantityFraction",
                 R"({"CallerReference": "r", "Paths": {"Quantity": 1.5, "Items": ["/a"]}})",
                 "InvalidArgument", "Paths.Quantity", "integer"},
        ErrorRow{"QuantityNegative",
                 R"({"CallerReference": "r", "Paths": {"Quantity": -1, "Items": ["/a"]}})",
                 "InvalidArgument", "Paths.Quantity", "negative"},
        ErrorRow{"NoItems", R"({"CallerReference": "r", "Paths": {"Quantity": 2}})",
                 "InvalidArgument", "Paths.Items", "required when Paths.Quantity is 2"},
        ErrorRow{"ItemsNotArray",
                 R"({"CallerReference": "r", "Paths": {"Quantity": 1, "Items": "/a"}})",
                 "InvalidArgument", "Paths.Items", "array"},
        ErrorRow{"QuantityTooHigh", batchJson({"/a", "/b"}, 3), "InconsistentQuantities",
                 "Paths.Quantity", "is 3 but Paths.Items has 2 path(s)"},
        ErrorRow{"QuantityTooLow", batchJson({"/a", "/b"}, 1), "InconsistentQuantities",
                 "Paths.Quantity", "is 1 but Paths.Items has 2"},
        ErrorRow{"NoPath", batchJson(Json::array(), 0), "InvalidArgument", "Paths.Items",
                 "at least one path"},
        ErrorRow{"NoPathNoItems", R"({"CallerReference": "r", "Paths": {"Quantity": 0}})",
                 "InvalidArgument", "Paths.Items", "at least one path"},
        ErrorRow{"ItemNotString", batchJson({"/a", 5}, 2), "InvalidArgument", "Paths.Items[1]",
                 "string"},
        ErrorRow{"NoLeadingSlash", batchJson({"/ok", "images/a.jpg"}, 2), "InvalidArgument",
                 "Paths.Items[1]", "'images/a.jpg': path must start with '/'"},
        ErrorRow{"StarNotLast", batchJson({"/a*b"}, 1), "InvalidArgument", "Paths.Items[0]",
                 "'*' is only allowed as the last character"},
        ErrorRow{"EmptyPath", batchJson({""}, 1), "InvalidArgument", "Paths.Items[0]",
                 "empty path"},
        ErrorRow{"Space", batchJson({"/a b"}, 1), "InvalidArgument", "Paths.Items[0]",
                 "percent-encoded"},
        ErrorRow{"BadPercent", batchJson({"/a%2"}, 1), "InvalidArgument", "Paths.Items[0]",
                 "two hex digits"},
        ErrorRow{"TooLong", batchJson({"/" + std::string(4000, 'a')}, 1), "InvalidArgument",
                 "Paths.Items[0]", "longer than 4000"},
        ErrorRow{"TooManyPaths", manyPaths(kMaxInvalidationPaths + 1, false),
                 "TooManyInvalidationsInProgress", "Paths.Items", "at most 3000"},
        ErrorRow{"TooManyWildcards", manyPaths(kMaxInvalidationWildcardPaths + 1, true),
                 "TooManyInvalidationsInProgress", "Paths.Items", "16 wildcard paths; at most 15"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(InvalidationBatch, SamePathsIgnoresOrderButNotCountOrCase) {
  const InvalidationBatch a{"r", {"/a", "/b", "/b"}};
  EXPECT_TRUE(samePaths(a, {"r", {"/b", "/a", "/b"}}));
  EXPECT_TRUE(samePaths(a, {"other-ref", {"/b", "/b", "/a"}}));  // the reference is not compared
  EXPECT_FALSE(samePaths(a, {"r", {"/a", "/b"}}));
  EXPECT_FALSE(samePaths(a, {"r", {"/a", "/B", "/b"}}));
}

TEST(InvalidationBatch, Prints) {
  std::ostringstream os;
  os << InvalidationBatch{"r", {"/a", "/b*"}};
  EXPECT_EQ(os.str(), "{CallerReference r, Paths [/a /b*]}");
  std::ostringstream e;
  e << ApiError{409, "InvalidationBatchAlreadyExists", "CallerReference", "used"};
  EXPECT_EQ(e.str(), "409 InvalidationBatchAlreadyExists: CallerReference: used");
}

}  // namespace
}  // namespace edge::engine
