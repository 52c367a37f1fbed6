#include "policies/vary.h"

#include <gtest/gtest.h>

#include "policies/config_load.h"

namespace edge::policies {
namespace {

constexpr const char* kOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6";
constexpr const char* kAllViewer = "216adef6-5c7f-47e4-b989-5492eafa07d3";
constexpr const char* kUserAgentReferer = "acba4595-bd28-49b8-b9fe-13317c0390fa";

class Vary : public testing::Test {
 protected:
  void SetUp() override {
    config_.cache_policies = managedCachePolicies();
    config_.origin_request_policies = managedOriginRequestPolicies();
    CachePolicy device;
    device.id = "cp-device";
    device.headers = {ListBehavior::Whitelist, {"CloudFront-Is-Mobile-Viewer"}};
    config_.cache_policies.emplace(device.id, device);
  }
  std::optional<std::string> viewer(std::string_view vary, const Behavior& b) {
    return viewerVary(vary, resolveForwardingRules(b, config_));
  }
  static Behavior policy(std::string cp, std::string orp = "") {
    Behavior b;
    b.cache_policy_id = std::move(cp);
    b.origin_request_policy_id = std::move(orp);
    return b;
  }
  Config config_;
};

TEST_F(Vary, StarDetection) {
  EXPECT_TRUE(varyHasStar("*"));
  EXPECT_TRUE(varyHasStar("Accept-Encoding, *"));
  EXPECT_TRUE(varyHasStar(" * "));
  EXPECT_FALSE(varyHasStar("Accept-Encoding"));
  EXPECT_FALSE(varyHasStar("X-*"));
  EXPECT_FALSE(varyHasStar(""));
}

TEST_F(Vary, StarWithMinTtlZeroForwardsEveryRequest) {
  EXPECT_EQ(classifyVary({{"Vary", "Accept-Encoding"}, {"vary", "*"}}, 0),
            VaryTreatment::StarForward);
  EXPECT_EQ(classifyVary({{"Vary", "*"}}, 1), VaryTreatment::None);
  EXPECT_EQ(classifyVary({{"Vary", "Accept-Encoding, User-Agent"}}, 0), VaryTreatment::None);
  EXPECT_EQ(classifyVary({}, 0), VaryTreatment::None);
}

TEST_F(Vary, ViewerKeepsAcceptEncodingAndCookieOnly) {
  EXPECT_EQ(viewer("Accept-Encoding, User-Agent, X-Foo, Cookie", policy(kOptimized)),
            "Accept-Encoding, Cookie");
  EXPECT_EQ(viewer("accept-encoding,*", policy(kOptimized)), "accept-encoding");
  EXPECT_EQ(viewer("User-Agent, Origin", policy(kOptimized)), std::nullopt);
  EXPECT_EQ(viewer("*", policy(kOptimized)), std::nullopt);
}

TEST_F(Vary, ViewerKeepsForwardedHeaders) {
  EXPECT_EQ(viewer("User-Agent, Referer, Origin", policy(kOptimized, kUserAgentReferer)),
            "User-Agent, Referer");
  EXPECT_EQ(viewer("Origin, X-Foo, *", policy(kOptimized, kAllViewer)), "Origin, X-Foo");
}

TEST_F(Vary, UserAgentKeptWhenDeviceHeaderForwarded) {
  EXPECT_EQ(viewer("User-Agent, X-Foo", policy("cp-device")), "User-Agent");
}

TEST_F(Vary, LegacyWhitelistedHeaderKept) {
  Behavior b;
  b.forwarded_values = ForwardedValues{};
  b.forwarded_values->headers = {"Accept-Language", "CloudFront-Is-Tablet-Viewer"};
  EXPECT_EQ(viewer("Accept-Language, User-Agent, Referer", b), "Accept-Language, User-Agent");
}

}  // namespace
}  // namespace edge::policies
