#include "policies/explain.h"

#include <gtest/gtest.h>

#include "policies/config_load.h"

namespace edge::policies {
namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

constexpr const char* kConfig = R"({
  "CachePolicies": [{"Id": "cp-short", "CachePolicyConfig": {"Name": "Short",
     "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 300,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": true,
       "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": ["X-Ver"]},
       "CookiesConfig": {"CookieBehavior": "whitelist", "Cookies": ["b", "a"]},
       "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": ["size"]}}}}],
  "DistributionConfig": {
    "DefaultRootObject": "index.html",
    "Origins": [
      {"Id": "web", "DomainName": "web.test", "OriginPath": "/prod",
       "CustomOriginConfig": {"OriginProtocolPolicy": "http-only", "HTTPPort": 8080}},
      {"Id": "api", "DomainName": "api.test",
       "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}],
    "DefaultCacheBehavior": {"TargetOriginId": "web",
                             "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    "CacheBehaviors": [
      {"PathPattern": "/api/*", "TargetOriginId": "api",
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
      {"PathPattern": "/images/*", "TargetOriginId": "web", "CachePolicyId": "cp-short"},
      {"PathPattern": "/legacy-all/*", "TargetOriginId": "web",
       "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "all"}, "Headers": ["*"]}}]
  },
  "Edge": {"DomainName": "d111111abcdef8.cloudfront.net", "PopName": "EXP50-C1",
           "OriginAddressOverrides": {"web.test": "127.0.0.1:9000"}}
})";

class Explain : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = parseConfig(kConfig, "explain.json");
    ASSERT_TRUE(c) << c.error().toString();
    config_ = std::move(*c);
  }

  ExplainRequest request(ExplainArgs args) {
    auto r = buildExplainRequest(args, config_.edge.domain_name, kNow);
    EXPECT_TRUE(r) << r.error();
    return r ? *r : ExplainRequest{};
  }
  Explanation explain(ExplainArgs args) {
    return explainRequest(config_, request(std::move(args)));
  }

  Config config_;
};

ExplainArgs get(std::string url, std::vector<std::string> headers = {},
                std::vector<std::string> origin_headers = {}) {
  ExplainArgs a;
  a.url = std::move(url);
  a.headers = std::move(headers);
  a.origin_headers = std::move(origin_headers);
  return a;
}

// --- argument parsing -----------------------------------------------------------------------

struct HeaderRow {
  const char* text;
  std::optional<Header> parsed;
};
std::ostream& operator<<(std::ostream& os, const HeaderRow& r) { return os << r.text; }

class ExplainHeaderArg : public ::testing::TestWithParam<HeaderRow> {};
TEST_P(ExplainHeaderArg, Parses) { EXPECT_EQ(parseHeaderArg(GetParam().text), GetParam().parsed); }
INSTANTIATE_TEST_SUITE_P(
    Rows, ExplainHeaderArg,
    ::testing::Values(HeaderRow{"Accept: */*", Header{"Accept", "*/*"}},
                      HeaderRow{"X-Empty:", Header{"X-Empty", ""}},
                      HeaderRow{"X-Pad:  \t a b \t", Header{"X-Pad", "a b"}},
                      HeaderRow{"Cookie: a=1; b=2", Header{"Cookie", "a=1; b=2"}},
                      HeaderRow{"X-Colon: a:b", Header{"X-Colon", "a:b"}},
                      HeaderRow{"no colon", std::nullopt}, HeaderRow{": value", std::nullopt},
                      HeaderRow{"Bad Name: v", std::nullopt}));

TEST(ExplainArgsParse, FullUrlGivesPathQueryAndHost) {
  ExplainArgs a;
  a.method = "get";
  a.url = "http://www.example.com:8080/images/a.jpg?size=1&x=2#frag";
  auto r = buildExplainRequest(a, "d1.cloudfront.net", kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->viewer.method_name, "GET");
  EXPECT_EQ(r->viewer.method, Method::Get);
  EXPECT_EQ(r->viewer.path, "/images/a.jpg");
  EXPECT_TRUE(r->viewer.has_query);
  EXPECT_EQ(r->viewer.query, "size=1&x=2");
  EXPECT_EQ(r->viewer.headers.get("Host"), "www.example.com:8080");
  EXPECT_EQ(r->now, kNow);
  EXPECT_EQ(r->origin_status, 200);
}

TEST(ExplainArgsParse, BarePathTakesTheDistributionDomainAsHost) {
  ExplainArgs a;
  a.url = "/a?";
  auto r = buildExplainRequest(a, "d1.cloudfront.net", kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->viewer.path, "/a");
  EXPECT_TRUE(r->viewer.has_query);
  EXPECT_EQ(r->viewer.query, "");
  EXPECT_EQ(r->viewer.headers.get("Host"), "d1.cloudfront.net");
}

TEST(ExplainArgsParse, HostHeaderFlagWinsAndOrderIsKept) {
  ExplainArgs a;
  a.url = "https://ignored.example/x";
  a.headers = {"X-A: 1", "host: alias.example", "X-A: 2"};
  a.origin_headers = {"Cache-Control: max-age=5"};
  a.origin_status = 404;
  auto r = buildExplainRequest(a, "d1.cloudfront.net", kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->viewer.headers, (HeaderList{{"X-A", "1"}, {"host", "alias.example"}, {"X-A", "2"}}));
  EXPECT_EQ(r->viewer.path, "/x");
  EXPECT_EQ(r->origin_status, 404);
  EXPECT_EQ(r->origin_headers, (HeaderList{{"Cache-Control", "max-age=5"}}));
}

TEST(ExplainArgsParse, HostOnlyUrlMeansRoot) {
  ExplainArgs a;
  a.url = "http://d1.cloudfront.net";
  auto r = buildExplainRequest(a, "x", kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->viewer.path, "/");
  EXPECT_FALSE(r->viewer.has_query);
}

struct BadArgsRow {
  const char* name;
  ExplainArgs args;
  const char* error_part;
};
std::ostream& operator<<(std::ostream& os, const BadArgsRow& r) { return os << r.name; }

class ExplainBadArgs : public ::testing::TestWithParam<BadArgsRow> {};
TEST_P(ExplainBadArgs, NamesTheProblem) {
  auto r = buildExplainRequest(GetParam().args, "d1.cloudfront.net", kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find(GetParam().error_part), std::string::npos) << r.error();
}
INSTANTIATE_TEST_SUITE_P(
    Rows, ExplainBadArgs,
    ::testing::Values(
        BadArgsRow{"RelativeUrl", {.url = "images/a.jpg"}, "URL must be"},
        BadArgsRow{"FtpUrl", {.url = "ftp://h/a"}, "scheme"},
        BadArgsRow{"NoHost", {.url = "http:///a"}, "needs a host"},
        BadArgsRow{"UserInfo", {.url = "http://u@h/a"}, "needs a host"},
        BadArgsRow{"Space", {.url = "/a b"}, "spaces"},
        BadArgsRow{"BadMethod", {.method = "G T", .url = "/a"}, "bad method"},
        BadArgsRow{"BadHeader", {.headers = {"nocolon"}, .url = "/a"}, "bad header"},
        BadArgsRow{"BadOriginHeader", {.origin_headers = {"x"}, .url = "/a"}, "bad origin header"},
        BadArgsRow{"BadStatus", {.origin_status = 42, .url = "/a"}, "origin status"}),
    [](const auto& info) { return std::string(info.param.name); });

// --- the explanation ------------------------------------------------------------------------

TEST_F(Explain, MatchedBehaviourIndexAndPattern) {
  Explanation e = explain(get("/images/a.jpg"));
  ASSERT_TRUE(e.behavior_index);
  EXPECT_EQ(*e.behavior_index, 1u);
  EXPECT_EQ(e.path_pattern, "/images/*");
  EXPECT_EQ(e.target_origin_id, "web");
  EXPECT_TRUE(e.method_allowed);

  Explanation d = explain(get("/other.html"));
  EXPECT_FALSE(d.behavior_index);
  EXPECT_EQ(d.path_pattern, "*");
}

TEST_F(Explain, CacheKeyComponents) {
  Explanation e = explain(get("/images/a.jpg?x=1&size=2",
                              {"Cookie: z=9; b=2; a=1", "Accept-Encoding: gzip, br", "X-Ver: 7"}));
  EXPECT_EQ(e.key_parts.domain, "d111111abcdef8.cloudfront.net");
  EXPECT_EQ(e.key_parts.path, "/images/a.jpg");
  EXPECT_EQ(e.key_parts.method, "");
  EXPECT_EQ(e.key_parts.accept_encoding, "gzip");
  EXPECT_EQ(e.key_parts.headers, (std::vector<KeyedHeader>{{"x-ver", "7"}}));
  EXPECT_EQ(e.key_parts.cookies, (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(e.key_parts.query, (std::vector<std::string>{"size=2"}));
  EXPECT_EQ(e.key, serializeCacheKey(e.key_parts));
  EXPECT_EQ(e.cache_policy, "cache policy Short (cp-short)");
}

TEST_F(Explain, OriginRequestWithOriginPathAndOverride) {
  Explanation e = explain(get("/images/a.jpg?size=2", {"User-Agent: curl/8"}));
  ASSERT_TRUE(e.origin_request);
  EXPECT_EQ(e.origin_request->method, "GET");
  EXPECT_EQ(e.origin_request->path_and_query, "/prod/images/a.jpg?size=2");
  EXPECT_EQ(e.origin_url, "http://web.test:8080/prod/images/a.jpg?size=2");
  EXPECT_EQ(e.connect_to, "127.0.0.1:9000");
  EXPECT_EQ(e.origin_request->headers.get("Host"), "web.test");
  EXPECT_EQ(e.origin_request->headers.get("X-Forwarded-For"), "192.0.2.1");
  EXPECT_EQ(e.origin_request->headers.get("X-Amz-Cf-Id"), "(generated per request)");

  Explanation api = explain(get("/api/v1/users"));
  EXPECT_EQ(api.origin_url, "https://api.test:443/api/v1/users");
  EXPECT_EQ(api.connect_to, "");
}

TEST_F(Explain, DefaultRootObjectRewritesPathForKeyAndOrigin) {
  Explanation e = explain(get("/"));
  EXPECT_EQ(e.rewritten_path, "/index.html");
  EXPECT_EQ(e.key_parts.path, "/index.html");
  ASSERT_TRUE(e.origin_request);
  EXPECT_EQ(e.origin_request->path_and_query, "/prod/index.html");
}

TEST_F(Explain, TtlClampedToMaxTtl) {
  Explanation e = explain(get("/images/a.jpg", {}, {"Cache-Control: s-maxage=600, max-age=10"}));
  EXPECT_EQ(e.ttl_settings, (TtlSettings{0, 60, 300}));
  ASSERT_TRUE(std::holds_alternative<Cacheable>(e.ttl));
  EXPECT_EQ(std::get<Cacheable>(e.ttl).ttl_seconds, 300);
  EXPECT_EQ(describeTtlDecision(e.ttl), "cached for 300 s: s-maxage=600 clamped to MaxTTL 300");
}

TEST_F(Explain, TtlFromExpiresUsesTheGivenNow) {
  ExplainArgs a = get("/images/a.jpg", {}, {"Expires: Thu, 01 Jan 2026 00:02:00 GMT"});
  Explanation e = explain(a);
  EXPECT_EQ(describeTtlDecision(e.ttl), "cached for 120 s: Expires gives 120 s -> TTL 120");
}

TEST_F(Explain, UncacheableResponsesSayWhy) {
  Explanation e = explain(get("/images/a.jpg", {}, {"Cache-Control: no-store"}));
  EXPECT_EQ(describeTtlDecision(e.ttl),
            "not cached: origin-no-store (Cache-Control: no-store with MinTTL 0)");
  Explanation disabled = explain(get("/api/x"));
  EXPECT_EQ(std::get<Uncacheable>(disabled.ttl).reason, NoCacheReason::CachingDisabled);
  ExplainArgs post = get("/images/a.jpg");
  post.method = "POST";
  config_.distribution.behaviors[1].allowed_methods = {Method::Get,   Method::Head, Method::Options,
                                                       Method::Put,   Method::Post, Method::Patch,
                                                       Method::Delete};
  Explanation p = explain(post);
  EXPECT_TRUE(p.method_allowed);
  EXPECT_EQ(std::get<Uncacheable>(p.ttl).reason, NoCacheReason::MethodNotCached);
}

TEST_F(Explain, AllHeadersForwardedCachesNothing) {
  Explanation e = explain(get("/legacy-all/a", {}, {"Cache-Control: max-age=100"}));
  EXPECT_EQ(e.key_parts.no_cache, NoCacheReason::AllHeadersForwarded);
  EXPECT_EQ(std::get<Uncacheable>(e.ttl).reason, NoCacheReason::AllHeadersForwarded);
  EXPECT_EQ(e.cache_policy, "legacy ForwardedValues and behaviour TTLs");
}

TEST_F(Explain, ErrorStatusUsesErrorCachingMinTtl) {
  ExplainArgs a = get("/images/missing.jpg");
  a.origin_status = 404;
  Explanation e = explain(a);
  EXPECT_EQ(describeTtlDecision(e.ttl), "cached for 10 s: error response: ErrorCachingMinTTL 10");
}

TEST_F(Explain, MethodNotAllowedStopsAtTheBehaviour) {
  ExplainArgs a = get("/images/a.jpg");
  a.method = "DELETE";
  Explanation e = explain(a);
  EXPECT_FALSE(e.method_allowed);
  const std::string text = formatExplanation(e, request(a).viewer);
  EXPECT_NE(text.find("CloudFront answers 403"), std::string::npos) << text;
  EXPECT_EQ(text.find("origin request"), std::string::npos) << text;
}

TEST_F(Explain, DescribesExtrasOfCacheableDecisions) {
  Explanation e = explain(get("/images/a.jpg", {},
                              {"Cache-Control: max-age=100, stale-while-revalidate=30, "
                               "stale-if-error=0",
                               "Set-Cookie: a=b"}));
  EXPECT_EQ(describeTtlDecision(e.ttl),
            "cached for 100 s: max-age=100 -> TTL 100; stale-while-revalidate 30 s; "
            "stale-if-error disabled; Set-Cookie stored");
  Explanation zero = explain(get("/images/a.jpg", {}, {"Cache-Control: max-age=0"}));
  EXPECT_EQ(describeTtlDecision(zero.ttl),
            "stored with TTL 0, revalidated on every request: max-age=0 -> TTL 0");
}

TEST_F(Explain, FormattedTextHasEverySection) {
  ExplainArgs a = get("http://d111111abcdef8.cloudfront.net/images/a.jpg?size=2&x=1", {"X-Ver: 3"},
                      {"Cache-Control: s-maxage=600"});
  Explanation e = explain(a);
  const std::string text = formatExplanation(e, request(a).viewer);
  for (const char* part : {
           "request: GET /images/a.jpg?size=2&x=1\n",
           "  Host: d111111abcdef8.cloudfront.net\n",
           "behaviour: CacheBehaviors.Items[1] PathPattern \"/images/*\" -> origin web\n",
           "cache key: cache policy Short (cp-short)\n",
           "  domain           d111111abcdef8.cloudfront.net\n",
           "  path             /images/a.jpg\n",
           "  accept-encoding  (not keyed)\n",
           "  header           x-ver=\"3\"\n",
           "  cookie           (none)\n",
           "  query            size=2\n",
           "  path+query       /images/a.jpg?size=2",
           "origin request: GET http://web.test:8080/prod/images/a.jpg?size=2 (connects to "
           "127.0.0.1:9000)\n",
           "  Host: web.test\n",
           "origin response (assumed): 200\n",
           "  Cache-Control: s-maxage=600\n",
           "ttl: MinTTL 0, DefaultTTL 60, MaxTTL 300\n",
           "  cached for 300 s: s-maxage=600 clamped to MaxTTL 300\n",
       }) {
    EXPECT_NE(text.find(part), std::string::npos) << "missing: " << part << "\nin:\n" << text;
  }
  const std::string d = formatExplanation(explain(get("/")), request(get("/")).viewer);
  EXPECT_NE(d.find("behaviour: DefaultCacheBehavior (PathPattern \"*\") -> origin web\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("  DefaultRootObject: / -> /index.html\n"), std::string::npos) << d;
}

TEST(ExplainNoCacheReason, EveryReasonHasWords) {
  for (int i = 0; i <= static_cast<int>(NoCacheReason::ErrorTtlZero); ++i) {
    EXPECT_NE(describeNoCacheReason(static_cast<NoCacheReason>(i)), "unknown reason") << i;
  }
}


// §4: the compression section. The default behaviour (CachingOptimized, gzip + brotli keyed)
// compresses only with Compress on; the assumed origin response decides the verdict.
TEST(ExplainCompression, OffWithoutCompressOnWithIt) {
  std::string text = kConfig;
  auto off = parseConfig(text, "explain.json");
  ASSERT_TRUE(off) << off.error().toString();
  const auto args = get("/a.html", {"Accept-Encoding: gzip, br"},
                        {"Content-Type: text/html", "Content-Length: 5000"});
  auto req = buildExplainRequest(args, off->edge.domain_name, kNow);
  ASSERT_TRUE(req) << req.error();
  Explanation e = explainRequest(*off, *req);
  EXPECT_FALSE(e.edge_compression);
  EXPECT_NE(formatExplanation(e, req->viewer).find("compression: off for this behaviour"),
            std::string::npos);

  const std::string needle = R"("CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"})";
  text.replace(text.find(needle), needle.size(),
               R"("CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "Compress": true})");
  auto on = parseConfig(text, "explain.json");
  ASSERT_TRUE(on) << on.error().toString();
  e = explainRequest(*on, *req);
  EXPECT_TRUE(e.edge_compression);
  EXPECT_EQ(e.offered, ContentCoding::Brotli);
  EXPECT_EQ(e.compression, CompressVerdict::Compress);
  EXPECT_NE(formatExplanation(e, req->viewer).find("compression: br variant; compressed"),
            std::string::npos)
      << formatExplanation(e, req->viewer);

  // Too small an object: the verdict says why.
  auto small = buildExplainRequest(get("/a.html", {"Accept-Encoding: gzip"},
                                       {"Content-Type: text/html", "Content-Length: 999"}),
                                   on->edge.domain_name, kNow);
  ASSERT_TRUE(small);
  e = explainRequest(*on, *small);
  EXPECT_EQ(e.offered, ContentCoding::Gzip);
  EXPECT_EQ(e.compression, CompressVerdict::TooSmall);
}

}  // namespace
}  // namespace edge::policies
