#include "policies/origin_request.h"

#include <gtest/gtest.h>

#include "policies/behavior_match.h"
#include "policies/config_load.h"

namespace edge::policies {
namespace {

constexpr std::string_view kVia = "0123456789abcdef0123456789abcdef.cloudfront.net";
constexpr std::string_view kId = "req-id-1";

constexpr const char* kConfig = R"({
  "PublicKeys": [{"Id": "K1", "PublicKeyConfig": {"Name": "k",
     "EncodedKey": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZmTeIf18GBlcFU4APjknJQpo8SR7\nmvv56MRy/OMYge5ugUTbKcNG2H8+yPUnbkO5FfgfaG1/HZTCZIJ6CFuTCw==\n-----END PUBLIC KEY-----\n"}}],
  "KeyGroups": [{"Id": "KG", "KeyGroupConfig": {"Name": "g", "Items": ["K1"]}}],
  "CachePolicies": [{"Id": "cp-keyed", "CachePolicyConfig": {"Name": "Keyed", "MinTTL": 0,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
       "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": ["X-Ver", "CloudFront-Viewer-Country"]},
       "CookiesConfig": {"CookieBehavior": "whitelist", "Cookies": ["b", "a"]},
       "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": ["page", "size"]}}}}],
  "OriginRequestPolicies": [{"Id": "orp-q", "OriginRequestPolicyConfig": {"Name": "Q",
     "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
     "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": ["debug"]}}}],
  "DistributionConfig": {
    "DefaultRootObject": "index.html",
    "Origins": [
      {"Id": "web", "DomainName": "web.test", "OriginPath": "/prod",
       "CustomHeaders": [{"HeaderName": "X-Origin-Verify", "HeaderValue": "secret"}],
       "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}},
      {"Id": "s3", "DomainName": "bucket.s3.us-east-1.amazonaws.com",
       "S3OriginConfig": {"OriginAccessIdentity": ""}}],
    "DefaultCacheBehavior": {"TargetOriginId": "web", "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    "CacheBehaviors": [
      {"PathPattern": "/optimized/*", "TargetOriginId": "web", "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
       "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
      {"PathPattern": "/allviewer/*", "TargetOriginId": "web", "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
       "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
      {"PathPattern": "/excepthost/*", "TargetOriginId": "web",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
       "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"},
      {"PathPattern": "/ua/*", "TargetOriginId": "web",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
       "OriginRequestPolicyId": "acba4595-bd28-49b8-b9fe-13317c0390fa"},
      {"PathPattern": "/legacy/*", "TargetOriginId": "web", "Compress": true,
       "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
       "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}},
      {"PathPattern": "/legacy-fwd/*", "TargetOriginId": "web",
       "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "whitelist",
         "WhitelistedNames": ["session", "pref_*"]}, "Headers": ["Accept-Language", "Host"]}},
      {"PathPattern": "/legacy-all/*", "TargetOriginId": "web",
       "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "all"}, "Headers": ["*"]}},
      {"PathPattern": "/s3/*", "TargetOriginId": "s3",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
       "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
      {"PathPattern": "/keyed/*", "TargetOriginId": "web", "CachePolicyId": "cp-keyed",
       "OriginRequestPolicyId": "orp-q"},
      {"PathPattern": "/cf/*", "TargetOriginId": "web",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
       "OriginRequestPolicyId": "33f36d7e-f396-46d9-90e0-52428a34d9dc"},
      {"PathPattern": "/signed/*", "TargetOriginId": "web",
       "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["KG"]},
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
       "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"}]
  }
})";

class OriginRequest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = parseConfig(kConfig, "origin_request_test.json");
    ASSERT_TRUE(r) << r.error().toString();
    ASSERT_TRUE(r->warnings.empty()) << r->warnings.front();
    config_ = new Config(std::move(*r));
  }
  static void TearDownTestSuite() { delete config_; }

  ViewerRequest request(std::string path, HeaderList headers, std::string query = "") {
    ViewerRequest v;
    v.method = Method::Get;
    v.method_name = "GET";
    v.path = std::move(path);
    v.has_query = !query.empty();
    v.query = std::move(query);
    v.headers = std::move(headers);
    v.client_ip = "192.0.2.2";
    v.client_port = 46532;
    return v;
  }

  OriginRequestPlan plan(const ViewerRequest& v) {
    const Behavior& b = matchBehavior(config_->distribution, v.path);
    const Origin* o = config_->findOrigin(b.target_origin_id);
    EXPECT_NE(o, nullptr);
    rewritten_ = applyDefaultRootObject(v.path, config_->distribution.default_root_object);
    return planOriginRequest({v, b, *o, *config_, rewritten_, kId, kVia});
  }

  OriginRequestPlan plan(std::string path, HeaderList headers, std::string query = "") {
    return plan(request(std::move(path), std::move(headers), std::move(query)));
  }

  static Config* config_;
  std::string rewritten_;
};
Config* OriginRequest::config_ = nullptr;

TEST_F(OriginRequest, HostIsOriginDomainByDefault) {
  const auto p = plan("/optimized/a", {{"Host", "d111.cloudfront.net"}});
  EXPECT_EQ(p.headers.get("host"), "web.test");
  EXPECT_EQ(p.headers.count("host"), 1u);
  EXPECT_EQ(p.headers.items().front().name, "Host");
}

TEST_F(OriginRequest, ViewerHostForwardedByAllViewerButNeverToS3) {
  EXPECT_EQ(plan("/allviewer/a", {{"Host", "www.example.com"}}).headers.get("host"), "www.example.com");
  EXPECT_EQ(plan("/legacy-fwd/a", {{"Host", "www.example.com"}}).headers.get("host"), "www.example.com");
  EXPECT_EQ(plan("/s3/a", {{"Host", "www.example.com"}}).headers.get("host"),
            "bucket.s3.us-east-1.amazonaws.com");
}

TEST_F(OriginRequest, AllViewerExceptHostForwardsEverythingElse) {
  const auto p = plan("/excepthost/a", {{"Host", "www.example.com"}, {"Accept", "text/html"},
                                        {"Authorization", "Bearer x"}, {"X-Custom", "1"}},
                      "a=1&b=2");
  EXPECT_EQ(p.headers.get("host"), "web.test");
  EXPECT_EQ(p.headers.get("accept"), "text/html");
  EXPECT_EQ(p.headers.get("authorization"), "Bearer x");
  EXPECT_EQ(p.headers.get("x-custom"), "1");
  EXPECT_EQ(p.path_and_query, "/prod/excepthost/a?a=1&b=2");
}

TEST_F(OriginRequest, PolicyModelDropsUnlistedViewerHeaders) {
  const auto p = plan("/optimized/a", {{"Accept", "text/html"}, {"Referer", "r"}, {"X-Custom", "1"},
                                       {"Authorization", "Basic x"}, {"Cache-Control", "no-cache"},
                                       {"Range", "bytes=0-1"}, {"If-None-Match", "\"e\""},
                                       {"Content-Type", "text/plain"}});
  for (std::string_view gone : {"Accept", "Referer", "X-Custom", "Authorization", "Cache-Control",
                                "Content-Type"}) {
    EXPECT_FALSE(p.headers.has(gone)) << gone;
  }
  EXPECT_EQ(p.headers.get("range"), "bytes=0-1");
  EXPECT_EQ(p.headers.get("if-none-match"), "\"e\"");
}

TEST_F(OriginRequest, ContentTypeForwardedWithBody) {
  ViewerRequest v = request("/optimized/a", {{"Content-Type", "application/json"}, {"Content-Length", "2"}});
  v.method = Method::Post;
  v.method_name = "POST";
  v.has_body = true;
  const auto p = plan(v);
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.headers.get("content-type"), "application/json");
  EXPECT_FALSE(p.headers.has("content-length"));
}

TEST_F(OriginRequest, UserAgentReplacedUnlessForwarded) {
  EXPECT_EQ(plan("/optimized/a", {{"User-Agent", "curl/8"}}).headers.get("user-agent"),
            "Amazon CloudFront");
  EXPECT_EQ(plan("/optimized/a", {}).headers.get("user-agent"), "Amazon CloudFront");
  const auto p = plan("/ua/a", {{"User-Agent", "curl/8"}, {"Referer", "https://r/"}});
  EXPECT_EQ(p.headers.get("user-agent"), "curl/8");
  EXPECT_EQ(p.headers.get("referer"), "https://r/");
  EXPECT_EQ(p.headers.count("user-agent"), 1u);
}

TEST_F(OriginRequest, XForwardedForAppendsClientIpWithoutSpace) {
  EXPECT_EQ(plan("/optimized/a", {}).headers.get("x-forwarded-for"), "192.0.2.2");
  EXPECT_EQ(plan("/optimized/a", {{"X-Forwarded-For", "192.0.2.4,192.0.2.3"}}).headers.get("x-forwarded-for"),
            "192.0.2.4,192.0.2.3,192.0.2.2");
  const auto p = plan("/legacy/a", {{"X-Forwarded-For", "203.0.113.1"}, {"x-forwarded-for", " 203.0.113.9 "}});
  EXPECT_EQ(p.headers.getJoined("x-forwarded-for"), "203.0.113.1,203.0.113.9,192.0.2.2");
}

TEST_F(OriginRequest, ViaUsesViewerHttpVersion) {
  EXPECT_EQ(plan("/optimized/a", {}).headers.get("via"),
            "1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)");
  ViewerRequest v = request("/optimized/a", {});
  v.http_minor = 0;
  EXPECT_EQ(plan(v).headers.get("via"),
            "1.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)");
  // A forwarded viewer Via is kept and ours appended (RFC 9110 §7.6.3).
  EXPECT_EQ(plan("/legacy/a", {{"Via", "1.1 proxy"}}).headers.getJoined("via"),
            "1.1 proxy, 1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)");
}

TEST_F(OriginRequest, RequestIdAndKeepAliveAlwaysSetOnce) {
  const auto p = plan("/legacy-all/a", {{"X-Amz-Cf-Id", "spoofed"}, {"Connection", "close"}});
  EXPECT_EQ(p.headers.getJoined("x-amz-cf-id"), "req-id-1");
  EXPECT_EQ(p.headers.getJoined("connection"), "Keep-Alive");
}

TEST_F(OriginRequest, HopByHopAndFramingNeverForwarded) {
  const HeaderList viewer{{"Connection", "X-Secret, keep-alive"}, {"X-Secret", "s"},
                          {"Keep-Alive", "timeout=5"}, {"TE", "trailers"}, {"Upgrade", "h2c"},
                          {"Trailer", "X"}, {"Proxy-Authorization", "p"}, {"Proxy-Foo", "p"},
                          {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"},
                          {"Expect", "100-continue"}, {"X-Edge-Origin-Shield-Skip", "1"},
                          {"X-Kept", "yes"}};
  for (const char* path : {"/legacy-all/a", "/allviewer/a", "/legacy/a"}) {
    const auto p = plan(path, viewer);
    for (std::string_view gone : {"X-Secret", "Keep-Alive", "TE", "Upgrade", "Trailer",
                                  "Proxy-Authorization", "Proxy-Foo", "Transfer-Encoding",
                                  "Content-Length", "Expect", "X-Edge-Origin-Shield-Skip"}) {
      EXPECT_FALSE(p.headers.has(gone)) << path << " " << gone;
    }
    EXPECT_EQ(p.headers.get("x-kept"), "yes") << path;
  }
}

TEST_F(OriginRequest, LegacyDefaultTable) {
  const auto p = plan("/legacy/a", {{"Accept", "a"}, {"Accept-Language", "en"}, {"Referer", "r"},
                                    {"Cache-Control", "no-cache"}, {"X-Custom", "1"},
                                    {"Authorization", "Basic x"}, {"Cookie", "a=1"},
                                    {"X-HTTP-Method-Override", "PUT"}},
                      "q=1");
  EXPECT_FALSE(p.headers.has("accept"));
  EXPECT_FALSE(p.headers.has("accept-language"));
  EXPECT_FALSE(p.headers.has("referer"));
  EXPECT_FALSE(p.headers.has("authorization"));  // GET: removed
  EXPECT_FALSE(p.headers.has("cookie"));         // Forward none
  EXPECT_FALSE(p.headers.has("x-http-method-override"));
  EXPECT_EQ(p.headers.get("cache-control"), "no-cache");
  EXPECT_EQ(p.headers.get("x-custom"), "1");
  EXPECT_EQ(p.path_and_query, "/prod/legacy/a");  // QueryString=false
}

TEST_F(OriginRequest, LegacyAuthorizationForwardedForUnsafeMethods) {
  ViewerRequest v = request("/legacy/a", {{"Authorization", "Basic x"}});
  v.method = Method::Post;
  v.method_name = "POST";
  EXPECT_EQ(plan(v).headers.get("authorization"), "Basic x");
  v.method = Method::Options;  // OPTIONS not cached on this behaviour → forwarded
  v.method_name = "OPTIONS";
  EXPECT_EQ(plan(v).headers.get("authorization"), "Basic x");
}

TEST_F(OriginRequest, LegacyWhitelistForwardsListedHeadersAndQuery) {
  const auto p = plan("/legacy-fwd/a", {{"Accept-Language", "en"}, {"Accept", "x"}}, "b=2&a=1");
  EXPECT_EQ(p.headers.get("accept-language"), "en");
  EXPECT_FALSE(p.headers.has("accept"));
  EXPECT_EQ(p.path_and_query, "/prod/legacy-fwd/a?b=2&a=1");
}

TEST_F(OriginRequest, CustomHeadersApplyLastAndReplace) {
  const auto p = plan("/legacy-all/a", {{"X-Origin-Verify", "forged"}, {"x-origin-verify", "again"}});
  EXPECT_EQ(p.headers.getJoined("x-origin-verify"), "secret");
  EXPECT_EQ(p.headers.items().back(), (Header{"X-Origin-Verify", "secret"}));
}

TEST_F(OriginRequest, CookiesStrippedWhenNotForwarded) {
  EXPECT_FALSE(plan("/optimized/a", {{"Cookie", "a=1"}}).headers.has("cookie"));
  EXPECT_FALSE(plan("/legacy/a", {{"Cookie", "a=1"}}).headers.has("cookie"));
}

TEST_F(OriginRequest, ForwardedCookiesSortedByName) {
  EXPECT_EQ(plan("/legacy-all/a", {{"Cookie", "c=3; a=1"}, {"Cookie", "b=2"}}).headers.getJoined("cookie"),
            "a=1; b=2; c=3");
  EXPECT_EQ(plan("/allviewer/a", {{"Cookie", "z=26;y=25 ; x"}}).headers.getJoined("cookie"),
            "x; y=25; z=26");
  // Legacy whitelist with a wildcard name.
  EXPECT_EQ(plan("/legacy-fwd/a", {{"Cookie", "pref_lang=en; other=1; session=s; pref=x"}})
                .headers.getJoined("cookie"),
            "pref_lang=en; session=s");
  // Policy whitelist: exact, case-sensitive names.
  EXPECT_EQ(plan("/keyed/a", {{"Cookie", "b=2; A=9; a=1"}}).headers.getJoined("cookie"), "a=1; b=2");
}

TEST_F(OriginRequest, QueryStringsPerPolicy) {
  EXPECT_EQ(plan("/optimized/a", {}, "x=1").path_and_query, "/prod/optimized/a");
  EXPECT_EQ(plan("/allviewer/a", {}, "x=1&y").path_and_query, "/prod/allviewer/a?x=1&y");
  // Union of key whitelist (page, size) and ORP whitelist (debug), request order, byte-exact.
  EXPECT_EQ(plan("/keyed/a", {}, "size=2&Page=0&debug=1&page=1&x=9&page=3").path_and_query,
            "/prod/keyed/a?size=2&debug=1&page=1&page=3");
  EXPECT_EQ(plan("/keyed/a", {}, "x=9").path_and_query, "/prod/keyed/a");
}

TEST_F(OriginRequest, EmptyQueryIsNoQuery) {
  ViewerRequest v = request("/allviewer/a", {});
  v.has_query = true;
  EXPECT_EQ(plan(v).path_and_query, "/prod/allviewer/a");
}

TEST_F(OriginRequest, SigningParametersAndCookiesRemovedOnSignedBehaviors) {
  const auto p = plan("/signed/a",
                      {{"Cookie", "CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=k; app=1"}},
                      "v=1&Expires=2&Signature=s&Key-Pair-Id=k&Policy=p&Hash-Algorithm=SHA256");
  EXPECT_EQ(p.path_and_query, "/prod/signed/a?v=1");
  EXPECT_EQ(p.headers.getJoined("cookie"), "app=1");
  // Unsigned behaviours keep them: they are ordinary parameters there.
  EXPECT_EQ(plan("/allviewer/a", {}, "Signature=s").path_and_query, "/prod/allviewer/a?Signature=s");
}

TEST_F(OriginRequest, OriginPathAndDefaultRootObject) {
  EXPECT_EQ(plan("/", {}).path_and_query, "/prod/index.html");
  EXPECT_EQ(plan("/install/", {}).path_and_query, "/prod/install/");
  EXPECT_EQ(applyDefaultRootObject("/", "index.html"), "/index.html");
  EXPECT_EQ(applyDefaultRootObject("/", "folder/index.html"), "/folder/index.html");
  EXPECT_EQ(applyDefaultRootObject("/install/", "index.html"), "/install/");
  EXPECT_EQ(applyDefaultRootObject("/index.html", "index.html"), "/index.html");
  EXPECT_EQ(applyDefaultRootObject("/", ""), "/");
  EXPECT_EQ(applyDefaultRootObject("//", "index.html"), "//");
}

TEST_F(OriginRequest, AcceptEncodingNormalisedByCachePolicy) {
  EXPECT_EQ(plan("/optimized/a", {{"Accept-Encoding", "gzip, deflate, br"}}).headers.get("accept-encoding"),
            "br,gzip");
  EXPECT_EQ(plan("/optimized/a", {{"Accept-Encoding", "GZIP;q=0.5"}}).headers.get("accept-encoding"), "gzip");
  EXPECT_EQ(plan("/optimized/a", {{"Accept-Encoding", "gzip;q=0, br"}}).headers.get("accept-encoding"), "br");
  EXPECT_EQ(plan("/optimized/a", {{"Accept-Encoding", "deflate, zstd"}}).headers.get("accept-encoding"),
            "identity");
  EXPECT_FALSE(plan("/optimized/a", {}).headers.has("accept-encoding"));
  // CachingDisabled has both flags off and no ORP listing it: not forwarded.
  EXPECT_FALSE(plan("/ua/a", {{"Accept-Encoding", "gzip"}}).headers.has("accept-encoding"));
  // Legacy Compress=true behaves as gzip only.
  EXPECT_EQ(plan("/legacy/a", {{"Accept-Encoding", "br, gzip"}}).headers.get("accept-encoding"), "gzip");
  // HTTP/1.0 viewers: removed entirely.
  ViewerRequest v = request("/optimized/a", {{"Accept-Encoding", "gzip"}});
  v.http_minor = 0;
  EXPECT_FALSE(plan(v).headers.has("accept-encoding"));
}

TEST_F(OriginRequest, CloudFrontGeneratedHeadersWhenListed) {
  const auto p = plan("/cf/a", {{"User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"},
                                {"CloudFront-Viewer-Country", "XX"}, {"CloudFront-Is-Desktop-Viewer", "true"}});
  EXPECT_EQ(p.headers.get("cloudfront-viewer-address"), "192.0.2.2:46532");
  EXPECT_EQ(p.headers.getJoined("cloudfront-viewer-country"), "US");  // viewer's value not trusted
  EXPECT_EQ(p.headers.get("cloudfront-is-mobile-viewer"), "true");
  EXPECT_EQ(p.headers.getJoined("cloudfront-is-desktop-viewer"), "false");
  EXPECT_EQ(p.headers.get("cloudfront-is-ios-viewer"), "true");
  EXPECT_EQ(p.headers.get("cloudfront-viewer-http-version"), "1.1");
  EXPECT_EQ(p.headers.get("cloudfront-forwarded-proto"), "http");
  // Not listed anywhere: a spoofed viewer value is dropped, nothing generated.
  const auto q = plan("/allviewer/a", {{"CloudFront-Viewer-Country", "XX"}});
  EXPECT_FALSE(q.headers.has("cloudfront-viewer-country"));
  // Listed in a cache policy whitelist.
  EXPECT_EQ(plan("/keyed/a", {}).headers.get("cloudfront-viewer-country"), "US");
}

struct HopCase {
  std::string_view name;
  std::string_view connection;
  bool hop;
};
class HopByHop : public testing::TestWithParam<HopCase> {};
TEST_P(HopByHop, Classifies) {
  EXPECT_EQ(isHopByHop(GetParam().name, GetParam().connection), GetParam().hop)
      << GetParam().name << " / " << GetParam().connection;
}
INSTANTIATE_TEST_SUITE_P(
    OriginRequest, HopByHop,
    testing::Values(HopCase{"Connection", "", true}, HopCase{"keep-alive", "", true},
                    HopCase{"Proxy-Connection", "", true}, HopCase{"te", "", true},
                    HopCase{"Trailer", "", true}, HopCase{"Transfer-Encoding", "", true},
                    HopCase{"Upgrade", "", true}, HopCase{"Proxy-Authorization", "", true},
                    HopCase{"Proxy-Authenticate", "", true}, HopCase{"X-Foo", "", false},
                    HopCase{"X-Foo", "close, x-foo", true}, HopCase{"X-Foo", "x-foobar", false},
                    HopCase{"Accept", " close ,\tAccept ", true}, HopCase{"Host", "close", false}));

TEST(NormalizeAcceptEncoding, Table) {
  ViewerRequest v;
  v.headers = {{"Accept-Encoding", "gzip, br"}};
  EXPECT_EQ(normalizeAcceptEncoding(v, true, true), "br,gzip");
  EXPECT_EQ(normalizeAcceptEncoding(v, true, false), "gzip");
  EXPECT_EQ(normalizeAcceptEncoding(v, false, true), "br");
  EXPECT_EQ(normalizeAcceptEncoding(v, false, false), std::nullopt);
  v.headers = {{"Accept-Encoding", "br;q=0.0"}};
  EXPECT_EQ(normalizeAcceptEncoding(v, false, true), "identity");
  v.headers = {};
  EXPECT_EQ(normalizeAcceptEncoding(v, true, true), std::nullopt);
}

}  // namespace
}  // namespace edge::policies
