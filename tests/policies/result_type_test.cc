#include "policies/result_type.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

struct XCacheCase {
  std::string_view name;
  std::string_view x_cache;
  ResultType want;
};
std::ostream& operator<<(std::ostream& os, const XCacheCase& c) { return os << c.name; }

class XCacheResultTypeTest : public ::testing::TestWithParam<XCacheCase> {};

TEST_P(XCacheResultTypeTest, FirstWordOfTheHeader) {
  EXPECT_EQ(xCacheResultType(GetParam().x_cache), GetParam().want) << GetParam().x_cache;
}

INSTANTIATE_TEST_SUITE_P(
    ResultType, XCacheResultTypeTest,
    ::testing::Values(XCacheCase{"Hit", "Hit from cloudfront", ResultType::Hit},
                      XCacheCase{"RefreshHit", "RefreshHit from cloudfront", ResultType::RefreshHit},
                      XCacheCase{"Miss", "Miss from cloudfront", ResultType::Miss},
                      XCacheCase{"Redirect", "Redirect from cloudfront", ResultType::Redirect},
                      XCacheCase{"Error", "Error from cloudfront", ResultType::Error},
                      XCacheCase{"NoHeader", "", ResultType::Error},
                      XCacheCase{"OneWord", "Hit", ResultType::Hit},
                      XCacheCase{"CaseMatters", "hit from cloudfront", ResultType::Error},
                      XCacheCase{"UnknownWord", "HitMiss from x", ResultType::Error}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ResultType, DetailedCapacityAndLimitOverrideTheXCacheWord) {
  EXPECT_EQ(responseResultType(ResultType::Error, "CapacityExceeded"), ResultType::CapacityExceeded);
  EXPECT_EQ(responseResultType(ResultType::Error, "LimitExceeded"), ResultType::LimitExceeded);
  EXPECT_EQ(responseResultType(ResultType::Error, "OriginDnsError"), ResultType::Error);
  EXPECT_EQ(responseResultType(ResultType::Hit, ""), ResultType::Hit);
}

TEST(ResultType, AnExchangeCutOffIsAnError) {
  EXPECT_EQ(finalResultType(ResultType::Hit, /*complete=*/false), ResultType::Error);
  EXPECT_EQ(finalResultType(ResultType::Miss, /*complete=*/true), ResultType::Miss);
}

TEST(ResultType, Names) {
  EXPECT_EQ(toString(ResultType::RefreshHit), "RefreshHit");
  EXPECT_EQ(toString(ResultType::CapacityExceeded), "CapacityExceeded");
  EXPECT_EQ(kResultTypeCount, 7u);
}

}  // namespace
}  // namespace edge::policies
