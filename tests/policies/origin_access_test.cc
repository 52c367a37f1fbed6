// Origin access control (§12): loading OriginAccessControls and Edge.OriginAccessCredentials,
// the per-origin signer, the region taken from S3 endpoint names, and the signing behaviours
// always / never / no-override.
#include "policies/origin_access.h"

#include <gtest/gtest.h>

#include "policies/config_load_test_util.h"

namespace edge::policies {
namespace {

using namespace testing_config;

// base() with origin 0 on OAC "oac1" (the given behaviour) and the credentials set.
Json withOac(const std::string& behavior, bool credentials = true,
             const std::string& domain = "site.s3.eu-west-1.amazonaws.com") {
  Json j = base();
  j["OriginAccessControls"] = Json::parse(R"([{"OriginAccessControl": {"Id": "oac1",
      "OriginAccessControlConfig": {"Name": "site", "SigningProtocol": "sigv4",
        "SigningBehavior": ")" + behavior + R"(", "OriginAccessControlOriginType": "s3"}}}])");
  if (credentials) {
    j["Edge"]["OriginAccessCredentials"] = {{"AccessKeyId", "AKIDEDGE"},
                                            {"SecretAccessKey", "edge-secret"}};
  }
  origin(j, 0) = {{"Id", "web"}, {"DomainName", domain}, {"S3OriginConfig", Json::object()},
                  {"OriginAccessControlId", "oac1"}};
  return j;
}

TEST(OriginAccessConfig, LoadsControlAndCredentials) {
  auto c = load(withOac("no-override"));
  ASSERT_TRUE(c) << c.error().toString();
  const auto& oac = c->origin_access_controls.at("oac1");
  EXPECT_EQ(oac.name, "site");
  EXPECT_EQ(oac.signing_behavior, SigningBehavior::NoOverride);
  EXPECT_EQ(oac.origin_type, "s3");
  ASSERT_TRUE(c->edge.origin_access_credentials);
  EXPECT_EQ(c->edge.origin_access_credentials->access_key_id, "AKIDEDGE");
  EXPECT_EQ(c->edge.origin_access_credentials->region, "us-east-1");
  EXPECT_EQ(c->distribution.origins[0].origin_access_control_id, "oac1");
}

TEST(OriginAccessConfig, ErrorsNameTheField) {
  Json unknown = withOac("always");
  origin(unknown, 0)["OriginAccessControlId"] = "nope";
  EXPECT_EQ(errorOf(unknown),
            "conf/x.json: DistributionConfig.Origins.Items[0].OriginAccessControlId: unknown origin "
            "access control \"nope\" (not in OriginAccessControls)");
  EXPECT_EQ(errorOf(withOac("always", false)),
            "conf/x.json: DistributionConfig.Origins.Items[0].OriginAccessControlId: origin access "
            "control \"oac1\" signs (always) but Edge.OriginAccessCredentials is not set");
  EXPECT_EQ(errorOf(withOac("never", false)), "<loaded>");  // nothing to sign with, nothing signed
  Json bad_behavior = withOac("sometimes");
  EXPECT_NE(errorOf(bad_behavior).find("OriginAccessControls[0].OriginAccessControl."
                                       "OriginAccessControlConfig.SigningBehavior"),
            std::string::npos)
      << errorOf(bad_behavior);
  Json bad_protocol = withOac("always");
  bad_protocol["OriginAccessControls"][0]["OriginAccessControl"]["OriginAccessControlConfig"]
              ["SigningProtocol"] = "sigv2";
  EXPECT_NE(errorOf(bad_protocol).find("SigningProtocol"), std::string::npos);
  Json empty_secret = withOac("always");
  empty_secret["Edge"]["OriginAccessCredentials"]["SecretAccessKey"] = "";
  EXPECT_EQ(errorOf(empty_secret),
            "conf/x.json: Edge.OriginAccessCredentials.SecretAccessKey: must not be empty");
}

TEST(OriginAccessRegion, FromEndpointNames) {
  struct Case {
    const char* domain;
    std::optional<std::string> region;
  } cases[] = {
      {"site.s3.eu-west-1.amazonaws.com", "eu-west-1"},
      {"site.s3-eu-west-1.amazonaws.com", "eu-west-1"},
      {"site.s3.dualstack.ap-south-1.amazonaws.com", "ap-south-1"},
      {"site.s3.amazonaws.com", "us-east-1"},
      {"my.dotted.bucket.s3.us-west-2.amazonaws.com", "us-west-2"},
      {"SITE.S3.EU-CENTRAL-1.AMAZONAWS.COM", "eu-central-1"},
      {"abc123.lambda-url.us-west-2.on.aws", "us-west-2"},
      {"origin.example.com", std::nullopt},
      {"127.0.0.1", std::nullopt},
      {"amazonaws.com", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(regionFromDomain(c.domain), c.region) << c.domain;
}

TEST(OriginAccessSigner, PerOrigin) {
  auto c = load(withOac("always"));
  ASSERT_TRUE(c) << c.error().toString();
  auto s = originSigner(c->distribution.origins[0], *c);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->region, "eu-west-1");  // from the DomainName, not the credentials' default
  EXPECT_EQ(s->service, "s3");
  EXPECT_EQ(s->credentials.access_key_id, "AKIDEDGE");
  EXPECT_FALSE(originSigner(c->distribution.origins[1], *c));  // no OAC on "api"

  auto local = load(withOac("always", true, "bucket.local.test"));
  ASSERT_TRUE(local);
  EXPECT_EQ(originSigner(local->distribution.origins[0], *local)->region, "us-east-1");
  auto never = load(withOac("never"));
  ASSERT_TRUE(never);
  EXPECT_FALSE(originSigner(never->distribution.origins[0], *never));
}

// The request the verifier sees, built from what the edge would send.
ViewerRequest asReceived(std::string method, std::string path, std::string query, HeaderList headers) {
  ViewerRequest r;
  r.method_name = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.has_query = !r.query.empty();
  r.headers = std::move(headers);
  return r;
}

constexpr int64_t kNow = 1795000000;

TEST(OriginAccessSign, AlwaysReplacesTheViewersAuthorization) {
  OriginSigner s{SigningBehavior::Always, {"AKIDEDGE", "edge-secret"}, "us-east-1", "s3"};
  HeaderList h{{"Host", "site.s3.us-east-1.amazonaws.com"}, {"Authorization", "Bearer viewer"}};
  ASSERT_TRUE(signOriginRequest(s, "GET", "/docs/a%20b.html?x=1&a=2", h, kNow));
  EXPECT_EQ(h.count("authorization"), 1u);
  EXPECT_TRUE(h.get("authorization")->starts_with("AWS4-HMAC-SHA256 Credential=AKIDEDGE/"));
  EXPECT_EQ(*h.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(*h.get("x-amz-date"), sigv4::formatAmzDate(kNow));
  auto secrets = [](std::string_view id) -> std::optional<std::string> {
    if (id == "AKIDEDGE") return std::string("edge-secret");
    return std::nullopt;
  };
  auto v = sigv4::verifyRequest(asReceived("GET", "/docs/a%20b.html", "x=1&a=2", h), secrets, kNow);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->scope.region, "us-east-1");
  EXPECT_EQ(v->scope.service, "s3");
  // The same headers on another path do not verify.
  auto moved = sigv4::verifyRequest(asReceived("GET", "/docs/other.html", "x=1&a=2", h), secrets, kNow);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error(), sigv4::AuthError::SignatureDoesNotMatch);
}

TEST(OriginAccessSign, NoOverrideKeepsAViewerAuthorization) {
  OriginSigner s{SigningBehavior::NoOverride, {"AKIDEDGE", "edge-secret"}, "us-east-1", "s3"};
  HeaderList viewer{{"Host", "h.s3.amazonaws.com"}, {"Authorization", "AWS4-HMAC-SHA256 viewer's"}};
  HeaderList before = viewer;
  EXPECT_FALSE(signOriginRequest(s, "GET", "/k", viewer, kNow));
  EXPECT_EQ(viewer, before);
  HeaderList none{{"Host", "h.s3.amazonaws.com"}};
  EXPECT_TRUE(signOriginRequest(s, "GET", "/k", none, kNow));
  EXPECT_TRUE(none.has("authorization"));
}

TEST(OriginAccessSign, SignsTheViewersBodyHash) {
  OriginSigner s{SigningBehavior::Always, {"AKIDEDGE", "edge-secret"}, "us-east-1", "s3"};
  const std::string hash = sigv4::sha256Hex("hello");
  HeaderList h{{"Host", "h.s3.amazonaws.com"}, {"x-amz-content-sha256", hash}};
  ASSERT_TRUE(signOriginRequest(s, "PUT", "/k", h, kNow));
  EXPECT_EQ(h.count("x-amz-content-sha256"), 1u);
  EXPECT_EQ(*h.get("x-amz-content-sha256"), hash);
  auto secrets = [](std::string_view) -> std::optional<std::string> { return std::string("edge-secret"); };
  auto v = sigv4::verifyRequest(asReceived("PUT", "/k", "", h), secrets, kNow);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->payload, sigv4::PayloadMode::Sha256);
  EXPECT_EQ(v->payload_sha256, hash);
}

}  // namespace
}  // namespace edge::policies
