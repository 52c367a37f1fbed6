#include "policies/cache_status.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

struct Row {
  CacheOutcome outcome;
  int status;
  XCache expected;
};
std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << r.outcome << ' ' << r.status;
}

class XCacheValues : public testing::TestWithParam<Row> {};
TEST_P(XCacheValues, Section6_2) {
  EXPECT_EQ(toString(xCacheFor(GetParam().outcome, GetParam().status)),
            toString(GetParam().expected));
}
const Row kRows[] = {
    {CacheOutcome::Hit, 200, XCache::Hit},
    {CacheOutcome::Hit, 206, XCache::Hit},
    {CacheOutcome::Hit, 304, XCache::Hit},  // a viewer 304 answered from cache
    {CacheOutcome::Hit, 404, XCache::Error},  // cached error
    {CacheOutcome::CollapsedFollower, 200, XCache::Hit},
    {CacheOutcome::RefreshHit, 200, XCache::RefreshHit},
    {CacheOutcome::Miss, 200, XCache::Miss},
    {CacheOutcome::Miss, 301, XCache::Miss},
    {CacheOutcome::Miss, 503, XCache::Error},
    {CacheOutcome::Bypass, 201, XCache::Miss},
    {CacheOutcome::Bypass, 403, XCache::Error},
    {CacheOutcome::StaleWhileRevalidate, 200, XCache::RefreshHit},  // §3.7 UNCONFIRMED
    {CacheOutcome::StaleOnError, 200, XCache::RefreshHit},          // UNCONFIRMED
};
INSTANTIATE_TEST_SUITE_P(CacheStatus, XCacheValues, testing::ValuesIn(kRows));

TEST(CacheStatus, StaleLabelIsConfigurable) {
  EXPECT_EQ(xCacheFor(CacheOutcome::StaleWhileRevalidate, 200, XCache::Hit), XCache::Hit);
  EXPECT_EQ(xCacheFor(CacheOutcome::StaleOnError, 200, XCache::Hit), XCache::Hit);
  EXPECT_EQ(xCacheFor(CacheOutcome::StaleOnError, 500, XCache::Hit), XCache::Error);
}

}  // namespace
}  // namespace edge::policies
