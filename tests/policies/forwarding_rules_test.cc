#include "policies/forwarding_rules.h"

#include <gtest/gtest.h>

#include "policies/config_load.h"

namespace edge::policies {
namespace {

TEST(ForwardingRules, SigningNeedsTrustedKeyGroupsOrSigners) {
  Behavior b;
  EXPECT_FALSE(requiresSignedRequests(b));
  b.trusted_key_groups_enabled = true;
  EXPECT_TRUE(requiresSignedRequests(b));
  b.trusted_key_groups_enabled = false;
  b.trusted_signers_enabled = true;
  EXPECT_TRUE(requiresSignedRequests(b));
}

TEST(ForwardingRules, SigningNamesAreCaseSensitive) {
  for (std::string_view n : {"Expires", "Key-Pair-Id", "Policy", "Signature", "Hash-Algorithm"}) {
    EXPECT_TRUE(isSigningQueryParam(n)) << n;
  }
  EXPECT_FALSE(isSigningQueryParam("expires"));
  EXPECT_FALSE(isSigningQueryParam("Signature2"));
  EXPECT_TRUE(isSigningCookie("CloudFront-Key-Pair-Id"));
  EXPECT_TRUE(isSigningCookie("CloudFront-Hash-Algorithm"));
  EXPECT_FALSE(isSigningCookie("cloudfront-policy"));
  EXPECT_FALSE(isSigningCookie("Policy"));
}

TEST(ForwardingRules, NameListSelection) {
  const NameList wl{ListBehavior::Whitelist, {"X-A"}};
  EXPECT_TRUE(nameListSelects(wl, "x-a", true));
  EXPECT_FALSE(nameListSelects(wl, "x-a", false));
  EXPECT_FALSE(nameListSelects(wl, "X-B", true));
  const NameList except{ListBehavior::AllExcept, {"a"}};
  EXPECT_FALSE(nameListSelects(except, "a", false));
  EXPECT_TRUE(nameListSelects(except, "A", false));
  EXPECT_TRUE(nameListSelects({ListBehavior::All, {}}, "z", false));
  EXPECT_FALSE(nameListSelects({}, "z", false));
}

TEST(ForwardingRules, CookieGlobs) {
  const std::vector<std::string> patterns = {"userid_*", "v?"};
  EXPECT_TRUE(cookieNameMatchesAny(patterns, "userid_42"));
  EXPECT_TRUE(cookieNameMatchesAny(patterns, "userid_"));
  EXPECT_TRUE(cookieNameMatchesAny(patterns, "v1"));
  EXPECT_FALSE(cookieNameMatchesAny(patterns, "v12"));
  EXPECT_FALSE(cookieNameMatchesAny(patterns, "UserId_1"));
}

TEST(ForwardingRules, ForwardsCookies) {
  Config config;
  config.cache_policies = managedCachePolicies();
  config.origin_request_policies = managedOriginRequestPolicies();
  Behavior b;
  b.cache_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6";  // CachingOptimized: no cookies
  EXPECT_FALSE(forwardsCookies(resolveForwardingRules(b, config)));
  b.origin_request_policy_id = "216adef6-5c7f-47e4-b989-5492eafa07d3";  // AllViewer
  EXPECT_TRUE(forwardsCookies(resolveForwardingRules(b, config)));
  b.cache_policy_id = "83da9c7e-98b4-4e11-a168-04f0df8e2c65";  // UseOriginCacheControlHeaders
  b.origin_request_policy_id.clear();
  EXPECT_TRUE(forwardsCookies(resolveForwardingRules(b, config)));
  Behavior legacy;
  legacy.forwarded_values = ForwardedValues{};
  EXPECT_FALSE(forwardsCookies(resolveForwardingRules(legacy, config)));
  legacy.forwarded_values->cookie_forward = ForwardedValues::CookieForward::Whitelist;
  EXPECT_TRUE(forwardsCookies(resolveForwardingRules(legacy, config)));
}

TEST(ForwardingRules, SigningCookiesAndParamsNeverForwardedOnSigningBehaviours) {
  Config config;
  config.cache_policies = managedCachePolicies();
  config.origin_request_policies = managedOriginRequestPolicies();
  Behavior b;
  b.cache_policy_id = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
  b.origin_request_policy_id = "216adef6-5c7f-47e4-b989-5492eafa07d3";  // AllViewer
  ForwardingRules r = resolveForwardingRules(b, config);
  EXPECT_TRUE(cookieForwarded(r, "CloudFront-Policy"));
  EXPECT_TRUE(queryParamForwarded(r, "Signature"));
  b.trusted_key_groups_enabled = true;
  r = resolveForwardingRules(b, config);
  EXPECT_FALSE(cookieForwarded(r, "CloudFront-Policy"));
  EXPECT_FALSE(queryParamForwarded(r, "Signature"));
  EXPECT_TRUE(queryParamForwarded(r, "color"));
}

}  // namespace
}  // namespace edge::policies
