#include "policies/conditional.h"

#include <gtest/gtest.h>

#include "policies/http_date.h"

namespace edge::policies {
namespace {

TEST(Conditional, EtagComparisons) {
  EXPECT_TRUE(weakEtagMatch("\"a\"", "\"a\""));
  EXPECT_TRUE(weakEtagMatch("W/\"a\"", "\"a\""));
  EXPECT_TRUE(weakEtagMatch("W/\"a\"", "W/\"a\""));
  EXPECT_FALSE(weakEtagMatch("\"a\"", "\"b\""));
  EXPECT_FALSE(weakEtagMatch("\"a\"", "\"A\""));
  EXPECT_FALSE(weakEtagMatch("a", "a"));  // unquoted: malformed
  EXPECT_FALSE(weakEtagMatch("w/\"a\"", "\"a\""));  // the weak prefix is case-sensitive
  EXPECT_TRUE(strongEtagMatch("\"a\"", "\"a\""));
  EXPECT_FALSE(strongEtagMatch("W/\"a\"", "\"a\""));
  EXPECT_FALSE(strongEtagMatch("W/\"a\"", "W/\"a\""));
  EXPECT_FALSE(strongEtagMatch("\"a\"", "\"b\""));
}

TEST(Conditional, IfNoneMatchLists) {
  EXPECT_TRUE(ifNoneMatchMatches("\"x\", \"a\"", "\"a\""));
  EXPECT_TRUE(ifNoneMatchMatches("W/\"a\"", "\"a\""));      // §4.6 compressed variant
  EXPECT_TRUE(ifNoneMatchMatches("\"a\"", "W/\"a\""));
  EXPECT_TRUE(ifNoneMatchMatches(" * ", "\"a\""));
  EXPECT_TRUE(ifNoneMatchMatches("\"a,b\", \"c\"", "\"a,b\""));  // comma inside the tag
  EXPECT_FALSE(ifNoneMatchMatches("\"a,b\"", "\"a\""));
  EXPECT_FALSE(ifNoneMatchMatches("\"x\", \"y\"", "\"a\""));
  EXPECT_FALSE(ifNoneMatchMatches("garbage", "\"a\""));
  EXPECT_FALSE(ifNoneMatchMatches("", "\"a\""));
}

constexpr int64_t kModified = 1'700'000'000;

struct Row {
  const char* name;
  Method method;
  HeaderList request;
  HeaderList stored;
  ConditionalResult expected;
};
std::ostream& operator<<(std::ostream& os, const Row& r) { return os << r.name; }

std::vector<Row> rows() {
  const std::string lm = formatHttpDate(kModified);
  const std::string before = formatHttpDate(kModified - 1);
  const std::string after = formatHttpDate(kModified + 1);
  const HeaderList stored = {{"ETag", "\"v1\""}, {"Last-Modified", lm}};
  using C = ConditionalResult;
  return {
      {"NoConditions", Method::Get, {}, stored, C::Unconditional},
      {"InmMatches", Method::Get, {{"If-None-Match", "\"v1\""}}, stored, C::NotModified},
      {"InmWeakMatches", Method::Get, {{"If-None-Match", "W/\"v1\""}}, stored, C::NotModified},
      {"InmListMatches", Method::Get, {{"If-None-Match", "\"v0\", \"v1\""}}, stored,
       C::NotModified},
      {"InmTwoLinesMatch", Method::Get, {{"If-None-Match", "\"v0\""}, {"If-None-Match", "\"v1\""}},
       stored, C::NotModified},
      {"InmStar", Method::Get, {{"If-None-Match", "*"}}, {}, C::NotModified},
      {"InmMismatch", Method::Get, {{"If-None-Match", "\"v2\""}}, stored, C::Unconditional},
      {"InmNoStoredEtag", Method::Get, {{"If-None-Match", "\"v1\""}}, {{"Last-Modified", lm}},
       C::Unconditional},
      // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
      {"InmMismatchBeatsImsMatch", Method::Get,
       {{"If-None-Match", "\"v2\""}, {"If-Modified-Since", after}}, stored, C::Unconditional},
      {"ImsEqual", Method::Get, {{"If-Modified-Since", lm}}, stored, C::NotModified},
      {"ImsLater", Method::Get, {{"If-Modified-Since", after}}, stored, C::NotModified},
      {"ImsEarlier", Method::Get, {{"If-Modified-Since", before}}, stored, C::Unconditional},
      {"ImsInvalid", Method::Get, {{"If-Modified-Since", "yesterday"}}, stored, C::Unconditional},
      {"ImsTwice", Method::Get, {{"If-Modified-Since", lm}, {"If-Modified-Since", lm}}, stored,
       C::Unconditional},
      // RFC 9111 §4.3.2: no Last-Modified → the stored Date, else the time it was stored.
      {"ImsUsesDateWithoutLastModified", Method::Get, {{"If-Modified-Since", lm}},
       {{"Date", before}}, C::NotModified},
      {"ImsDateLater", Method::Get, {{"If-Modified-Since", before}}, {{"Date", lm}},
       C::Unconditional},
      {"ImsUsesStoredAt", Method::Get, {{"If-Modified-Since", formatHttpDate(500)}}, {},
       C::NotModified},
      {"ImsBeforeStoredAt", Method::Get, {{"If-Modified-Since", formatHttpDate(499)}}, {},
       C::Unconditional},
      {"HeadToo", Method::Head, {{"If-None-Match", "\"v1\""}}, stored, C::NotModified},
      {"PostNever", Method::Post, {{"If-None-Match", "\"v1\""}}, stored, C::Unconditional},
      {"OptionsNever", Method::Options, {{"If-Modified-Since", lm}}, stored, C::Unconditional},
  };
}

class ViewerConditional : public testing::TestWithParam<Row> {};
TEST_P(ViewerConditional, Evaluates) {
  const Row& r = GetParam();
  EXPECT_EQ(evaluateViewerConditional(r.method, r.request, r.stored, /*stored_at=*/500), r.expected)
      << toString(evaluateViewerConditional(r.method, r.request, r.stored, 500));
}
INSTANTIATE_TEST_SUITE_P(Conditional, ViewerConditional, testing::ValuesIn(rows()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Conditional, IfRange) {
  const std::string lm = formatHttpDate(kModified);
  const HeaderList stored = {{"ETag", "\"v1\""}, {"Last-Modified", lm}};
  EXPECT_TRUE(ifRangeAllowsPartial("\"v1\"", stored));
  EXPECT_FALSE(ifRangeAllowsPartial("\"v2\"", stored));
  EXPECT_FALSE(ifRangeAllowsPartial("W/\"v1\"", stored));  // strong comparison only
  EXPECT_TRUE(ifRangeAllowsPartial(lm, stored));
  EXPECT_FALSE(ifRangeAllowsPartial(formatHttpDate(kModified + 1), stored));
  EXPECT_FALSE(ifRangeAllowsPartial("garbage", stored));
  EXPECT_FALSE(ifRangeAllowsPartial("\"v1\"", {{"Last-Modified", lm}}));
  EXPECT_FALSE(ifRangeAllowsPartial(lm, {{"ETag", "\"v1\""}}));
}

TEST(Conditional, NotModifiedHeadersKeepValidatorsAndCaching) {
  EXPECT_EQ(notModifiedHeaders({{"Content-Type", "text/html"}, {"Content-Length", "5"},
                                {"ETag", "\"v1\""}, {"Cache-Control", "max-age=60"},
                                {"Last-Modified", "x"}, {"Vary", "Accept-Encoding"},
                                {"Set-Cookie", "a=b"}, {"Date", "d"}, {"Expires", "e"},
                                {"Content-Location", "/a"}}),
            (HeaderList{{"ETag", "\"v1\""}, {"Cache-Control", "max-age=60"}, {"Last-Modified", "x"},
                        {"Vary", "Accept-Encoding"}, {"Date", "d"}, {"Expires", "e"},
                        {"Content-Location", "/a"}}));
}

}  // namespace
}  // namespace edge::policies
