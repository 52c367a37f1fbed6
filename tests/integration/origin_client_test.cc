// The own HTTP/1.1 origin client (origin/http_fetch.cc, origin/origin_pool.cc) as edged uses it
// for plain-HTTP origins: interim responses, close-delimited bodies, keep-alive pooling and
// idle deadlines, the one retry on a stale keep-alive connection, and response backpressure.
#include <gtest/gtest.h>

#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

// One request on a fresh viewer connection; the whole raw response.
RawResponse rawGet(uint16_t port, const std::string& path, bool head = false) {
  RawClient c(port);
  EXPECT_TRUE(c.send((head ? "HEAD " : "GET ") + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readResponses(1, Ms(5000), head);
  auto out = parseResponse(rr.data, head, rr.closed);
  EXPECT_EQ(out.status, ParseStatus::Complete) << rr.data.substr(0, 500);
  return out.response;
}

TEST(OriginClient, InterimResponsesAreSkipped) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  RawClient c(edged.port());
  ASSERT_TRUE(c.send("GET /interim HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readResponses(1, Ms(5000));
  auto all = parseResponses(rr.data);
  ASSERT_EQ(all.size(), 1u) << "edged forwarded an interim response: " << rr.data;
  EXPECT_EQ(all[0].status, 200) << all[0];
  EXPECT_EQ(all[0].body, "final\n");
  EXPECT_FALSE(all[0].headers.get("Link").has_value()) << "103 headers leaked into the 200";
  // The connection stays usable for the next request.
  EXPECT_EQ(rawGet(edged.port(), "/size/10").body, patternBody(10));
}

TEST(OriginClient, CloseDelimitedBodyIsForwardedWhole) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  for (size_t n : {0u, 1u, 5000u, 300000u}) {
    RawResponse r = rawGet(edged.port(), "/close-delimited?n=" + std::to_string(n));
    EXPECT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.body.size(), n);
    EXPECT_TRUE(r.body == patternBody(n)) << "body differs for n=" << n;
  }
  // HEAD: no body expected although the framing is close-delimited.
  RawResponse h = rawGet(edged.port(), "/close-delimited?n=100", /*head=*/true);
  EXPECT_EQ(h.status, 200) << h;
  // Each close-delimited response used its own origin connection.
  EXPECT_EQ(origin.stats().connections, 5u) << origin.stats();
}

TEST(OriginClient, OriginConnectionIsPooledAcrossViewerConnections) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  origin.resetStats();
  for (int i = 0; i < 30; ++i) {
    RawResponse r = rawGet(edged.port(), "/size/" + std::to_string(500 + i));
    ASSERT_EQ(r.status, 200) << r;
    ASSERT_TRUE(r.body == patternBody(500 + i)) << "request " << i;
  }
  OriginStats s = origin.stats();
  EXPECT_EQ(s.requests, 30u) << s;
  EXPECT_EQ(s.connections, 1u) << "sequential requests should share one origin connection: " << s;
}

TEST(OriginClient, StaleKeepAliveConnectionIsRetriedOnceForGet) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  origin.resetStats();
  ASSERT_EQ(rawGet(edged.port(), "/drop-next").status, 200);
  // The pooled connection is reused, the origin closes it without answering: edged retries
  // once on a new connection and the viewer never sees the failure.
  RawResponse r = rawGet(edged.port(), "/size/64");
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, patternBody(64));
  OriginStats s = origin.stats();
  EXPECT_EQ(s.path("/size/64"), 2u) << s;
  EXPECT_EQ(s.connections, 2u) << s;
}

TEST(OriginClient, StaleKeepAliveConnectionIsNotRetriedForPost) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  origin.resetStats();
  ASSERT_EQ(rawGet(edged.port(), "/drop-next").status, 200);
  Http http;
  HttpResponse r = http.post(edged.url("/echo/post"), {}, "a=1", RequestOptions{Ms(5000)});
  EXPECT_TRUE(isGeneratedError(r, 502)) << r;
  std::this_thread::sleep_for(Ms(200));
  EXPECT_EQ(origin.stats().path("/echo/post"), 1u) << origin.stats();
  // The next request gets a fresh connection.
  EXPECT_EQ(rawGet(edged.port(), "/size/5").status, 200);
}

TEST(OriginClient, ConnectionClosedByOriginWhileIdleIsNotReused) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  origin.resetStats();
  ASSERT_EQ(rawGet(edged.port(), "/close-idle?ms=50").status, 200);
  std::this_thread::sleep_for(Ms(400));
  RawResponse r = rawGet(edged.port(), "/size/32");
  EXPECT_EQ(r.status, 200) << r;
  OriginStats s = origin.stats();
  EXPECT_EQ(s.path("/size/32"), 1u) << "the closed idle connection was used: " << s;
  EXPECT_EQ(s.connections, 2u) << s;
}

TEST(OriginClient, IdleOriginConnectionsCloseAfterKeepaliveTimeout) {
  TestOrigin origin;
  auto cfg = baseConfig();
  firstOrigin(cfg)["CustomOriginConfig"]["OriginKeepaliveTimeout"] = 1;
  Edged edged(cfg, origin.port());
  ASSERT_EQ(rawGet(edged.port(), "/size/10").status, 200);
  // Two open: edged's pooled connection and the test's own /stats connection.
  EXPECT_EQ(origin.stats().open, 2) << origin.stats();
  auto t0 = Clock::now();
  EXPECT_TRUE(waitUntil([&] { return origin.stats().open == 1; }, Ms(4000)))
      << "edged kept its idle origin connection past OriginKeepaliveTimeout: " << origin.stats();
  EXPECT_GE(elapsedMs(t0), 700);
  ASSERT_EQ(rawGet(edged.port(), "/size/10").status, 200);
  EXPECT_EQ(origin.stats().connections, 2u) << origin.stats();
}

// A viewer that does not read makes the fetch pause (llhttp paused, socket reads stopped) and
// resume later; every byte must arrive in order, for both origin framings.
TEST(OriginClient, PausedResponseResumesWithEveryByte) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  const size_t kSize = 12 * 1024 * 1024;
  for (std::string query : {"", "?chunked=1&chunk=10000"}) {
    RawClient c(edged.port());
    ASSERT_TRUE(c.send("GET /size/" + std::to_string(kSize) + query +
                       " HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::this_thread::sleep_for(Ms(500));  // let edged's output back up: the fetch pauses
    std::string data;
    bool complete = false;
    auto deadline = Clock::now() + Ms(20000);
    while (!complete && Clock::now() < deadline) {
      ReadResult rr = c.readSome(256 * 1024, Ms(1000));
      data += rr.data;
      auto out = parseResponse(data);
      complete = out.status == ParseStatus::Complete;
      if (rr.closed) break;
      if (data.size() < kSize / 2) std::this_thread::sleep_for(Ms(2));  // a slow reader first
    }
    auto out = parseResponse(data);
    ASSERT_EQ(out.status, ParseStatus::Complete) << "got " << data.size() << " bytes" << query;
    EXPECT_EQ(out.response.status, 200);
    EXPECT_EQ(out.response.body.size(), kSize) << query;
    EXPECT_TRUE(out.response.body == patternBody(kSize)) << "body corrupted" << query;
  }
}

}  // namespace
}  // namespace edge::itest
