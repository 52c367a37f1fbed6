// resolveBehaviorCacheSettings / requestNoCacheReason: which behaviours collapse (§9.3), which
// requests skip the cache (§1.3, §2.8), the legacy cookie rule for conditional requests (§2.8).
#include "policies/cache_settings.h"

#include <gtest/gtest.h>

#include "config_load_test_util.h"

namespace edge::policies {
namespace {

using namespace testing_config;

struct Fixture {
  Config config;
  explicit Fixture(const Json& j) {
    auto r = load(j);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().toString());
    if (r) config = std::move(*r);
  }
};

TEST(CacheSettings, CachingOptimizedWithoutCookiesCollapses) {
  Fixture f(base());
  auto s = resolveBehaviorCacheSettings(f.config.distribution.default_behavior, f.config);
  EXPECT_TRUE(s.collapse);
  EXPECT_FALSE(s.forwards_cookies);
  EXPECT_EQ(s.ttl.default_ttl, 86400);
}

TEST(CacheSettings, CachingDisabledDoesNotCollapse) {
  Fixture f(base());
  auto s = resolveBehaviorCacheSettings(f.config.distribution.behaviors[0], f.config);
  EXPECT_EQ(s.ttl.max_ttl, 0);
  EXPECT_FALSE(s.collapse);
}

TEST(CacheSettings, LegacyCookieForwardingDoesNotCollapseNorRevalidate) {
  Fixture f(base());
  auto s = resolveBehaviorCacheSettings(f.config.distribution.behaviors[1], f.config);
  EXPECT_TRUE(s.forwards_cookies);
  EXPECT_TRUE(s.legacy_cookies);
  EXPECT_FALSE(s.collapse);
}

TEST(CacheSettings, OriginRequestPolicyForwardingCookiesDoesNotCollapse) {
  Json j = base();
  dist(j)["DefaultCacheBehavior"]["OriginRequestPolicyId"] = "216adef6-5c7f-47e4-b989-5492eafa07d3";
  Fixture f(j);
  auto s = resolveBehaviorCacheSettings(f.config.distribution.default_behavior, f.config);
  EXPECT_TRUE(s.forwards_cookies);  // AllViewer forwards all cookies
  EXPECT_FALSE(s.legacy_cookies);
  EXPECT_FALSE(s.collapse);
}

TEST(CacheSettings, OnlyCachedMethodsUseTheCache) {
  Fixture f(base());
  auto s = resolveBehaviorCacheSettings(f.config.distribution.default_behavior, f.config);
  CacheKey key;
  EXPECT_EQ(requestNoCacheReason(Method::Get, s, key), std::nullopt);
  EXPECT_EQ(requestNoCacheReason(Method::Head, s, key), std::nullopt);
  EXPECT_EQ(requestNoCacheReason(Method::Post, s, key), NoCacheReason::MethodNotCached);
  EXPECT_EQ(requestNoCacheReason(Method::Options, s, key), NoCacheReason::MethodNotCached);
  s.options_cached = true;
  EXPECT_EQ(requestNoCacheReason(Method::Options, s, key), std::nullopt);
  key.no_cache = NoCacheReason::AllHeadersForwarded;
  EXPECT_EQ(requestNoCacheReason(Method::Get, s, key), NoCacheReason::AllHeadersForwarded);
}

}  // namespace
}  // namespace edge::policies
