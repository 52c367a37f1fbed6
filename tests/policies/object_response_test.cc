// planObjectResponse: what a viewer gets from a stored object (§3.6 viewer conditionals, §9.1
// ranges, §9.2 HEAD).
#include "policies/object_response.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

ViewerRequest request(Method m, std::initializer_list<Header> headers) {
  ViewerRequest r;
  r.method = m;
  r.method_name = std::string(toString(m));
  r.path = "/o";
  r.headers = HeaderList(headers);
  return r;
}

const HeaderList kStored{{"Content-Type", "text/plain"},
                         {"ETag", "\"v1\""},
                         {"Last-Modified", "Sat, 01 Jan 2022 00:00:00 GMT"},
                         {"Cache-Control", "max-age=60"},
                         {"X-Other", "1"}};

ObjectResponsePlan plan(const ViewerRequest& r, int status = 200,
                        std::optional<uint64_t> length = 1000) {
  return planObjectResponse({r, status, kStored, length, 1700000000});
}

TEST(ObjectResponse, PlainGetServesTheStoredHeadersAndLength) {
  auto p = plan(request(Method::Get, {}));
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.content_length, std::optional<uint64_t>(1000));
  EXPECT_TRUE(p.send_body);
  EXPECT_EQ(p.headers, kStored);
  EXPECT_EQ(p.range.outcome, RangeOutcome::Full);
}

TEST(ObjectResponse, MatchingIfNoneMatchIs304WithTheValidatorFieldsOnly) {
  auto p = plan(request(Method::Get, {{"If-None-Match", "W/\"v1\""}}));
  EXPECT_EQ(p.status, 304);
  EXPECT_FALSE(p.send_body);
  EXPECT_EQ(p.headers.get("etag"), "\"v1\"");
  EXPECT_EQ(p.headers.get("cache-control"), "max-age=60");
  EXPECT_FALSE(p.headers.has("x-other"));
  EXPECT_FALSE(p.headers.has("content-type"));
}

TEST(ObjectResponse, NonMatchingIfNoneMatchServesTheObject) {
  EXPECT_EQ(plan(request(Method::Get, {{"If-None-Match", "\"v2\""}})).status, 200);
}

TEST(ObjectResponse, IfModifiedSinceAtLastModifiedIs304) {
  EXPECT_EQ(plan(request(Method::Head, {{"If-Modified-Since", "Sat, 01 Jan 2022 00:00:00 GMT"}}))
                .status,
            304);
  EXPECT_EQ(plan(request(Method::Get, {{"If-Modified-Since", "Fri, 31 Dec 2021 00:00:00 GMT"}}))
                .status,
            200);
}

TEST(ObjectResponse, ConditionalsDoNotApplyToCachedErrors) {
  EXPECT_EQ(plan(request(Method::Get, {{"If-None-Match", "\"v1\""}}), 404).status, 404);
}

TEST(ObjectResponse, SingleRangeIs206WithContentRange) {
  auto p = plan(request(Method::Get, {{"Range", "bytes=100-199"}}));
  EXPECT_EQ(p.status, 206);
  EXPECT_EQ(p.content_length, std::optional<uint64_t>(100));
  EXPECT_EQ(p.headers.get("content-range"), "bytes 100-199/1000");
  ASSERT_EQ(p.range.ranges.size(), 1u);
}

TEST(ObjectResponse, MultipleRangesAreMultipartWithAnExactLength) {
  auto p = plan(request(Method::Get, {{"Range", "bytes=0-9,500-509"}}));
  EXPECT_EQ(p.status, 206);
  ASSERT_EQ(p.part_heads.size(), 2u);
  EXPECT_NE(p.headers.get("content-type")->find("multipart/byteranges; boundary="),
            std::string::npos);
  uint64_t total = p.multipart_tail.size() + 20;
  for (const auto& h : p.part_heads) total += h.size();
  EXPECT_EQ(p.content_length, std::optional<uint64_t>(total));
  EXPECT_NE(p.part_heads[1].find("Content-Range: bytes 500-509/1000"), std::string::npos);
  EXPECT_NE(p.part_heads[0].find("Content-Type: text/plain"), std::string::npos);
}

TEST(ObjectResponse, RangeBeyondTheEndIs416) {
  auto p = plan(request(Method::Get, {{"Range", "bytes=1000-"}}));
  EXPECT_EQ(p.status, 416);
  EXPECT_FALSE(p.send_body);
  EXPECT_EQ(p.headers.get("content-range"), "bytes */1000");
}

TEST(ObjectResponse, RangeIgnoredWhenTheLengthIsUnknownOrTheStatusIsNot200) {
  EXPECT_EQ(plan(request(Method::Get, {{"Range", "bytes=0-9"}}), 200, std::nullopt).status, 200);
  EXPECT_EQ(plan(request(Method::Get, {{"Range", "bytes=0-9"}}), 404).status, 404);
  EXPECT_EQ(plan(request(Method::Head, {{"Range", "bytes=0-9"}})).status, 200);
}

TEST(ObjectResponse, IfRangeWithAStaleValidatorSendsTheWholeObject) {
  EXPECT_EQ(plan(request(Method::Get, {{"Range", "bytes=0-9"}, {"If-Range", "\"v0\""}})).status,
            200);
  EXPECT_EQ(plan(request(Method::Get, {{"Range", "bytes=0-9"}, {"If-Range", "\"v1\""}})).status,
            206);
}

}  // namespace
}  // namespace edge::policies
