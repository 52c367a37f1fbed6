// Basic proxying (§1.4, §1.7, §6.1, §6.2, §13): what the viewer gets back and what the origin
// sees. Caching is not implemented yet, so every request reaches the origin.
#include <gtest/gtest.h>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Lines = std::vector<std::string>;

TEST(ProxyBasic, GetReturnsOriginBodyWithCloudFrontHeaders) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  Http http;
  HttpResponse r = http.get(edged.url("/size/1000"));
  ASSERT_TRUE(r.ok()) << r;
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, patternBody(1000));
  EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "text/plain");
  EXPECT_EQ(r.headers.get("X-Cache").value_or(""), "Miss from cloudfront") << r;
  EXPECT_EQ(r.headers.count("Via"), 1u) << r;
  EXPECT_TRUE(isCloudFrontVia(r.headers.get("Via").value_or(""))) << r;
  EXPECT_EQ(r.headers.get("X-Amz-Cf-Pop").value_or(""), "TST50-C1") << r;
  EXPECT_TRUE(isCfId(r.headers.get("X-Amz-Cf-Id").value_or(""))) << r;
  // The origin's Server header passes through on origin responses (§6.1).
  EXPECT_EQ(r.headers.get("Server").value_or(""), "test_origin") << r;
  EXPECT_EQ(origin.stats().path("/size/1000"), 1u);
}

TEST(ProxyBasic, EachRequestGetsItsOwnRequestId) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  Http http;
  HttpResponse a = http.get(edged.url("/size/1"));
  HttpResponse b = http.get(edged.url("/size/1"));
  ASSERT_EQ(a.status, 200) << a;
  ASSERT_EQ(b.status, 200) << b;
  std::string id_a = a.headers.get("X-Amz-Cf-Id").value_or("");
  std::string id_b = b.headers.get("X-Amz-Cf-Id").value_or("");
  EXPECT_TRUE(isCfId(id_a)) << id_a;
  EXPECT_TRUE(isCfId(id_b)) << id_b;
  EXPECT_NE(id_a, id_b);
}

TEST(ProxyBasic, OriginSeesCloudFrontRequestHeaders) {
  TestOrigin origin;
  auto cfg = baseConfig();
  defaultBehavior(cfg)["OriginRequestPolicyId"] = kOrpAllViewerExceptHost;
  Edged edged(cfg, origin.port());
  Http http;
  HttpResponse r = http.get(edged.url("/echo/a?x=1&y=2"),
                            {"User-Agent: itest-agent/1.0", "X-Forwarded-For: 10.0.0.1",
                             "X-Origin-Secret: from-viewer", "Connection: keep-alive, X-Hop",
                             "X-Hop: 1", "Proxy-Authorization: Basic Zm9vOmJhcg==", "TE: trailers",
                             "Trailer: X-Checksum", "Upgrade: h2c", "X-Custom: hello"});
  ASSERT_TRUE(r.ok()) << r;
  ASSERT_EQ(r.status, 200) << r;
  EchoInfo e = parseEcho(r.body);
  ASSERT_TRUE(e.valid) << r.body;
  EXPECT_EQ(e.request_line, "GET /echo/a?x=1&y=2 HTTP/1.1") << e;
  // AllViewerExceptHostHeader: CloudFront inserts the origin's DomainName (§1.7, §2.7).
  EXPECT_EQ(e.headers.all("Host"), Lines{"origin.test"}) << e;
  // Viewer value kept, viewer IP appended with a comma and no space (§13.1).
  EXPECT_EQ(e.headers.all("X-Forwarded-For"), Lines{"10.0.0.1,127.0.0.1"}) << e;
  ASSERT_EQ(e.headers.count("Via"), 1u) << e;
  EXPECT_TRUE(isCloudFrontVia(*e.headers.get("Via"))) << e;
  // The id sent to the origin is the one the viewer gets back.
  EXPECT_EQ(e.headers.all("X-Amz-Cf-Id"), Lines{r.headers.get("X-Amz-Cf-Id").value_or("?")}) << e;
  // Origin custom headers replace a viewer header of the same name (§13.2).
  EXPECT_EQ(e.headers.all("X-Origin-Secret"), Lines{"s3cr3t"}) << e;
  // Hop-by-hop: the Connection-listed X-Hop and the fixed list never reach the origin.
  for (const char* name : {"X-Hop", "Proxy-Authorization", "TE", "Trailer", "Upgrade"}) {
    EXPECT_FALSE(e.headers.has(name)) << name << " reached the origin\n" << e;
  }
  for (const auto& v : e.headers.all("Connection")) {
    std::string lower = v;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(lower.find("x-hop"), std::string::npos) << e;
  }
  // An all-viewer-headers policy forwards ordinary viewer headers, User-Agent included.
  EXPECT_EQ(e.headers.all("X-Custom"), Lines{"hello"}) << e;
  EXPECT_EQ(e.headers.all("User-Agent"), Lines{"itest-agent/1.0"}) << e;
}

TEST(ProxyBasic, AllViewerPolicyForwardsViewerHost) {
  TestOrigin origin;
  auto cfg = baseConfig();
  defaultBehavior(cfg)["OriginRequestPolicyId"] = kOrpAllViewer;
  Edged edged(cfg, origin.port());
  Http http;
  HttpResponse r = http.get(edged.url("/echo/host"));
  ASSERT_EQ(r.status, 200) << r;
  EchoInfo e = parseEcho(r.body);
  ASSERT_TRUE(e.valid) << r.body;
  EXPECT_EQ(e.headers.all("Host"), Lines{"127.0.0.1:" + std::to_string(edged.port())}) << e;
  EXPECT_EQ(e.headers.all("X-Forwarded-For"), Lines{"127.0.0.1"}) << e;
  EXPECT_EQ(e.headers.all("X-Origin-Secret"), Lines{"s3cr3t"}) << e;
}

TEST(ProxyBasic, LegacyBehaviourStripsCookiesAndReplacesUserAgent) {
  TestOrigin origin;
  auto cfg = baseConfig();
  makeLegacy(defaultBehavior(cfg));
  Edged edged(cfg, origin.port());
  Http http;
  HttpResponse r = http.get(
      edged.url("/echo/legacy?q=1"),
      {"Cookie: session=abc; theme=dark", "User-Agent: itest-agent/1.0", "X-Custom: hello"});
  ASSERT_EQ(r.status, 200) << r;
  EchoInfo e = parseEcho(r.body);
  ASSERT_TRUE(e.valid) << r.body;
  EXPECT_EQ(e.request_line, "GET /echo/legacy?q=1 HTTP/1.1") << e;  // QueryString: true
  EXPECT_FALSE(e.headers.has("Cookie")) << e;                       // Cookies.Forward none
  EXPECT_EQ(e.headers.all("User-Agent"), Lines{"Amazon CloudFront"}) << e;
  EXPECT_EQ(e.headers.all("Host"), Lines{"origin.test"}) << e;
  EXPECT_EQ(e.headers.all("X-Origin-Secret"), Lines{"s3cr3t"}) << e;
  EXPECT_TRUE(isCloudFrontVia(e.headers.get("Via").value_or(""))) << e;
  EXPECT_EQ(e.headers.all("X-Amz-Cf-Id"), Lines{r.headers.get("X-Amz-Cf-Id").value_or("?")}) << e;
}

TEST(ProxyBasic, OriginPathIsPrepended) {
  TestOrigin origin;
  auto cfg = baseConfig();
  firstOrigin(cfg)["OriginPath"] = "/echo/base";
  Edged edged(cfg, origin.port());
  Http http;
  HttpResponse r = http.get(edged.url("/acme/page.html?v=2"));
  ASSERT_EQ(r.status, 200) << r;
  EchoInfo e = parseEcho(r.body);
  ASSERT_TRUE(e.valid) << r.body;
  EXPECT_EQ(e.target, "/echo/base/acme/page.html?v=2") << e;
}

TEST(ProxyBasic, PostBodyReachesOrigin) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  Http http;
  std::string body = "name=value&other=" + std::string(3000, 'x');
  HttpResponse r =
      http.post(edged.url("/echo/form"), {"Content-Type: application/x-www-form-urlencoded"}, body);
  ASSERT_TRUE(r.ok()) << r;
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.headers.get("X-Cache").value_or(""), "Miss from cloudfront") << r;
  EchoInfo e = parseEcho(r.body);
  ASSERT_TRUE(e.valid) << r.body;
  EXPECT_EQ(e.method, "POST") << e;
  EXPECT_EQ(e.body_length, body.size()) << e;
  EXPECT_EQ(e.body_sha256, sha256Hex(body)) << e;
  EXPECT_EQ(e.headers.get("Content-Type").value_or(""), "application/x-www-form-urlencoded") << e;
}

TEST(ProxyBasic, HeadReturnsHeadersOnly) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  // Raw socket: a HEAD response must not carry body bytes, which curl would hide.
  RawClient c(edged.port());
  ASSERT_TRUE(
      c.send("HEAD /size/1234 HTTP/1.1\r\nHost: x\r\n\r\nGET /size/5 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readUntil(
      [](std::string_view d) {
        auto head = parseResponse(d, /*head_request=*/true);
        if (head.status != ParseStatus::Complete) return false;
        return parseResponse(d.substr(head.consumed)).status == ParseStatus::Complete;
      },
      Ms(5000));
  auto head = parseResponse(rr.data, true);
  ASSERT_EQ(head.status, ParseStatus::Complete) << rr.data;
  EXPECT_EQ(head.response.status, 200) << head.response;
  EXPECT_EQ(head.response.headers.get("Content-Length").value_or(""), "1234") << head.response;
  // The next response starts right after the HEAD response's header block.
  auto next = parseResponse(std::string_view(rr.data).substr(head.consumed));
  ASSERT_EQ(next.status, ParseStatus::Complete) << rr.data;
  EXPECT_EQ(next.response.status, 200);
  EXPECT_EQ(next.response.body, "abcde");
  EXPECT_EQ(origin.stats().path("/size/1234"), 1u);
}

TEST(ProxyBasic, OriginErrorStatusPassesThroughAsError) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  Http http;
  HttpResponse r404 = http.get(edged.url("/status/404"));
  ASSERT_TRUE(r404.ok()) << r404;
  EXPECT_EQ(r404.status, 404);
  EXPECT_EQ(r404.body, "status 404\n");
  EXPECT_EQ(r404.headers.get("X-Cache").value_or(""), "Error from cloudfront") << r404;
  HttpResponse r201 = http.get(edged.url("/status/201"));
  EXPECT_EQ(r201.status, 201) << r201;
  EXPECT_EQ(r201.headers.get("X-Cache").value_or(""), "Miss from cloudfront") << r201;
  HttpResponse r500 = http.get(edged.url("/status/500"));
  EXPECT_EQ(r500.status, 500) << r500;
  EXPECT_EQ(r500.body, "status 500\n");
  EXPECT_EQ(r500.headers.get("X-Cache").value_or(""), "Error from cloudfront") << r500;
}

TEST(ProxyBasic, ChunkedOriginResponseIsRelayedIntact) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  Http http;
  HttpResponse r = http.get(edged.url("/size/100000?chunked=1&chunk=777"));
  ASSERT_TRUE(r.ok()) << r;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 100000u);
  EXPECT_TRUE(r.body == patternBody(100000)) << "body differs from the origin's";
}

}  // namespace
}  // namespace edge::itest
