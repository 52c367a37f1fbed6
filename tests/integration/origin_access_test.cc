// Origin access control (cloudfront-behavior.md §12) end to end: edged signs its origin requests
// with SigV4 and the bundled S3 server (edged-s3) checks them, so a private bucket is readable
// through the edge and nowhere else; SigningBehavior always / never / no-override; wrong edge
// credentials; and botocore (python3-botocore, no one here wrote it) recomputes the signature of
// requests the edge sent to the tests' echo origin and finds the same value.
#include <gtest/gtest.h>

#include "support/botocore_sigv4.h"
#include "support/harness.h"
#include "support/s3_distribution.h"
#include "support/s3_server.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

constexpr const char* kDomain = "site.s3.us-east-1.amazonaws.com";

std::string page() {
  std::string p = "<!doctype html><title>private</title>";
  while (p.size() < 3000) p += "<p>only through the edge</p>\n";
  return p;
}

// A private bucket "site" holding index.html and css/site.css, uploaded with signed PUTs.
class OriginAccess : public ::testing::Test {
 protected:
  OriginAccess() {
    put("/site/index.html", page(), "text/html");
    put("/site/css/site.css", "body { color: #333 }\n", "text/css");
  }
  void put(const std::string& path, const std::string& body, const std::string& type) {
    auto h = s3_.signedHeaders("PUT", path, "", body, false, {"Content-Type: " + type});
    HttpResponse r = http_.put(s3_.url(path), h, body);
    ASSERT_EQ(r.status, 200) << r;
  }
  S3DistributionOptions distribution(const std::string& signing) const {
    return {.domain = kDomain,
            .address = "127.0.0.1:" + std::to_string(s3_.port()),
            .signing_behavior = signing,
            .access_key_id = s3_.options().access_key_id,
            .secret_access_key = s3_.options().secret_access_key};
  }

  S3Server s3_;
  Http http_;
};

TEST_F(OriginAccess, PrivateBucketIsReadableOnlyThroughTheEdge) {
  // Straight to the bucket, anonymously: S3's AccessDenied.
  HttpResponse direct = http_.get(s3_.url("/site/index.html"));
  EXPECT_EQ(direct.status, 403) << direct;
  EXPECT_NE(direct.body.find("<Code>AccessDenied</Code><Message>Access Denied</Message>"), std::string::npos)
      << direct.body;
  HttpResponse vhost = http_.get(s3_.url("/index.html"), {std::string("Host: ") + kDomain});
  EXPECT_EQ(vhost.status, 403) << vhost;

  Edged edged(s3DistributionConfig(distribution("always")), s3_.port());
  HttpResponse miss = http_.get(edged.url("/"));  // DefaultRootObject
  ASSERT_EQ(miss.status, 200) << miss << edged.stderrText();
  EXPECT_EQ(miss.body, page());
  EXPECT_EQ(miss.headers.get("x-cache"), "Miss from cloudfront");
  EXPECT_EQ(miss.headers.get("content-type"), "text/html");
  HttpResponse hit = http_.get(edged.url("/index.html"));
  EXPECT_EQ(hit.headers.get("x-cache"), "Hit from cloudfront");
  HttpResponse css = http_.get(edged.url("/css/site.css"), {"Accept-Encoding: br"});
  ASSERT_EQ(css.status, 200) << css;
  EXPECT_EQ(css.body, "body { color: #333 }\n");  // under 1,000 bytes: not compressed (§4.1)
  // A key that is not there: S3's NoSuchKey (the bucket lets the signed edge see it), as an error.
  HttpResponse missing = http_.get(edged.url("/nope.html"));
  EXPECT_EQ(missing.status, 404) << missing;
  EXPECT_NE(missing.body.find("<Code>NoSuchKey</Code>"), std::string::npos) << missing.body;
  EXPECT_EQ(missing.headers.get("x-cache"), "Error from cloudfront");
}

TEST_F(OriginAccess, NeverSignsAndWrongCredentialsAreRefusedByTheBucket) {
  {
    Edged never(s3DistributionConfig(distribution("never")), s3_.port());
    HttpResponse r = http_.get(never.url("/index.html"));
    EXPECT_EQ(r.status, 403) << r;
    EXPECT_NE(r.body.find("<Code>AccessDenied</Code>"), std::string::npos) << r.body;
    EXPECT_EQ(r.headers.get("x-cache"), "Error from cloudfront");
  }
  {
    S3DistributionOptions wrong = distribution("always");
    wrong.secret_access_key = "not-the-bucket-secret";
    Edged edged(s3DistributionConfig(wrong), s3_.port());
    HttpResponse r = http_.get(edged.url("/index.html"));
    EXPECT_EQ(r.status, 403) << r;
    EXPECT_NE(r.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << r.body;
  }
  {
    S3DistributionOptions unknown = distribution("always");
    unknown.access_key_id = "AKIDUNKNOWN";
    Edged edged(s3DistributionConfig(unknown), s3_.port());
    HttpResponse r = http_.get(edged.url("/index.html"));
    EXPECT_EQ(r.status, 403) << r;
    EXPECT_NE(r.body.find("<Code>InvalidAccessKeyId</Code>"), std::string::npos) << r.body;
  }
}

// no-override passes a viewer's Authorization through (here one the bucket cannot accept) and
// signs only requests without one; always replaces it. Authorization reaches the origin only
// when the cache policy keys it (§12), so the behaviour uses such a policy.
TEST_F(OriginAccess, NoOverrideKeepsTheViewersAuthorizationAlwaysReplacesIt) {
  const auto config = [&](const std::string& signing) {
    Json cfg = s3DistributionConfig(distribution(signing));
    cfg["CachePolicies"] = Json::array({{{"Id", "cp-auth"},
                                         {"CachePolicyConfig",
                                          {{"Name", "auth"},
                                           {"MinTTL", 0},
                                           {"DefaultTTL", 60},
                                           {"MaxTTL", 3600},
                                           {"ParametersInCacheKeyAndForwardedToOrigin",
                                            {{"EnableAcceptEncodingGzip", false},
                                             {"HeadersConfig",
                                              {{"HeaderBehavior", "whitelist"},
                                               {"Headers", {{"Quantity", 1}, {"Items", {"Authorization"}}}}}},
                                             {"CookiesConfig", {{"CookieBehavior", "none"}}},
                                             {"QueryStringsConfig", {{"QueryStringBehavior", "none"}}}}}}}}});
    cfg["DistributionConfig"]["DefaultCacheBehavior"]["CachePolicyId"] = "cp-auth";
    return cfg;
  };
  const std::string viewer_auth = "Authorization: Bearer viewer-token";
  {
    Edged edged(config("no-override"), s3_.port());
    HttpResponse own = http_.get(edged.url("/index.html"));
    EXPECT_EQ(own.status, 200) << own << edged.stderrText();
    HttpResponse passed = http_.get(edged.url("/index.html"), {viewer_auth});
    EXPECT_EQ(passed.status, 400) << passed;  // the bucket saw "Bearer …", not a signature
    EXPECT_NE(passed.body.find("<Code>InvalidArgument</Code>"), std::string::npos) << passed.body;
  }
  {
    Edged edged(config("always"), s3_.port());
    HttpResponse replaced = http_.get(edged.url("/index.html"), {viewer_auth});
    EXPECT_EQ(replaced.status, 200) << replaced;
    EXPECT_EQ(replaced.body, page());
  }
}

// botocore recomputes what the edge signed: the edge in front of the echo origin (which returns
// the request it received), one origin access control on it, several paths and queries.
TEST(OriginAccessBotocore, EdgeSignaturesMatchBotocore) {
  TestOrigin origin;
  Json cfg = baseConfig();
  cfg["OriginAccessControls"] = Json::array(
      {{{"Id", "oac"},
        {"OriginAccessControlConfig",
         {{"Name", "echo"}, {"SigningProtocol", "sigv4"}, {"SigningBehavior", "always"},
          {"OriginAccessControlOriginType", "s3"}}}}});
  firstOrigin(cfg)["OriginAccessControlId"] = "oac";
  cfg["Edge"]["OriginAccessCredentials"] = {{"AccessKeyId", "AKIDEDGEECHO"},
                                            {"SecretAccessKey", "echo/secret+key"},
                                            {"Region", "eu-west-3"}};
  Edged edged(cfg, origin.port());
  Http http;
  const std::vector<std::string> targets = {"/echo/index.html", "/echo/a%20b/c~d.txt?x=1&a=2",
                                            "/echo/q?list-type=2&prefix=dir%2F&delimiter=%2F",
                                            "/echo/%E2%9C%93.txt"};
  Json cases = Json::array();
  for (const std::string& t : targets) {
    HttpResponse r = http.get(edged.url(t), {"Authorization: Bearer replaced-by-the-edge"});
    ASSERT_EQ(r.status, 200) << r;
    const EchoInfo e = parseEcho(r.body);
    ASSERT_TRUE(e.valid) << r.body;
    const auto auth = e.headers.get("authorization");
    ASSERT_TRUE(auth && auth->starts_with("AWS4-HMAC-SHA256 Credential=AKIDEDGEECHO/")) << e;
    EXPECT_NE(auth->find("/eu-west-3/s3/aws4_request"), std::string::npos) << *auth;
    EXPECT_EQ(e.headers.count("authorization"), 1u);
    Json headers = Json::array();
    for (const auto& [name, value] : e.headers.map()) headers.push_back({name, value});
    cases.push_back({{"method", e.method},
                     {"url", "http://origin.test" + e.target},
                     {"headers", headers},
                     {"secret_key", "echo/secret+key"},
                     {"region", "eu-west-3"}});
  }
  const Json out = runBotocoreSigv4("verify", cases);
  ASSERT_EQ(out.size(), targets.size());
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_TRUE(out[i]["match"].get<bool>())
        << targets[i] << ": botocore " << out[i]["signature"] << ", edge " << out[i]["claimed"] << "\n"
        << out[i]["canonical_request"].get<std::string>();
  }
}

}  // namespace
}  // namespace edge::itest
