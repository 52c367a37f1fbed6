// Load-shedding limits of the Edge config (issue 8 item 4): at each one edged refuses cleanly and
// recovers once the load goes away.
//   MaxConnectionsPerWorker    accept-and-close beyond it; accepted again when others close
//   MaxOriginFetchesPerWorker  a miss beyond it gets the generated 503 (CapacityExceeded,
//                              X-Cache: Error from cloudfront); hits are still served
//   MaxConnectionBufferBytes   a viewer that pipelines without reading is no longer read
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

// The default behaviour caches (TTL 60 s by default, path + query in the key); /slow and /hang
// are fetched through without caching.
Json overloadConfig() {
  Json cfg = cachingConfig();
  addBehavior(cfg, makeBehavior("/hang", "o1"));
  return cfg;
}

// Polls until pred() or the deadline; returns pred()'s last value.
bool waitFor(const std::function<bool()>& pred, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(Ms(20));
  }
  return true;
}

std::string header(const HttpResponse& r, const char* name) {
  return r.headers.get(name).value_or("(none)");
}

TEST(Overload, ConnectionLimitClosesNewConnectionsAndRecovers) {
  TestOrigin origin;
  Json cfg = overloadConfig();
  cfg["Edge"]["MaxConnectionsPerWorker"] = 4;
  Edged edged(cfg, origin.port());

  const std::string get = "GET /size/10 HTTP/1.1\r\nHost: x\r\n\r\n";
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawClient>(edged.port()));
    ASSERT_TRUE(held.back()->send(get));
    ReadResult rr = held.back()->readResponses(1, Ms(3000));
    auto rs = parseResponses(rr.data, rr.closed);
    ASSERT_EQ(rs.size(), 1u) << "connection " << i << ": " << rr.data;
    EXPECT_EQ(rs[0].status, 200) << rs[0];
  }
  // The fifth is accepted by the kernel and closed by edged without a byte.
  {
    RawClient extra(edged.port());
    extra.send(get, Ms(1000));  // may fail if the close came first
    ReadResult rr = extra.readUntilClosed(Ms(3000));
    EXPECT_TRUE(rr.closed) << "connection over the limit left open";
    EXPECT_EQ(rr.data, "") << "connection over the limit was answered";
  }
  // The held ones still work.
  ASSERT_TRUE(held[0]->send(get));
  ReadResult again = held[0]->readResponses(1, Ms(3000));
  ASSERT_EQ(parseResponses(again.data, again.closed).size(), 1u) << again.data;

  // Two go away: new connections are taken again.
  held[1]->close();
  held[2]->close();
  bool served = waitFor(
      [&] {
        ReadResult rr = rawExchange(edged.port(),
                                    "GET /size/10 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                    Ms(2000));
        auto rs = parseResponses(rr.data, rr.closed);
        return !rs.empty() && rs[0].status == 200;
      },
      Ms(5000));
  EXPECT_TRUE(served) << "no connection accepted after others closed";
  EXPECT_TRUE(edged.running());
}

TEST(Overload, OriginFetchLimitSheds503WhileHitsAreServed) {
  TestOrigin origin;
  Json cfg = overloadConfig();
  cfg["Edge"]["MaxOriginFetchesPerWorker"] = 2;
  Edged edged(cfg, origin.port());
  Http http;

  // A cached object, and two slow misses that hold both fetch slots for ~3 s.
  HttpResponse warm = http.get(edged.url("/size/1000?hot"));
  ASSERT_EQ(warm.status, 200) << warm;
  ASSERT_EQ(http.get(origin.url("/set/slow?delay_ms=3000&len=100")).status, 200);
  origin.resetStats();
  RawClient slow1(edged.port());
  RawClient slow2(edged.port());
  ASSERT_TRUE(slow1.send("GET /obj/slow?1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(slow2.send("GET /obj/slow?2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(waitFor([&] { return origin.stats().path("/obj/slow") == 2; }, Ms(3000)))
      << origin.stats();

  // A third miss (cached path) and a pass-through request are shed with the generated page.
  for (const char* path : {"/size/10?cold", "/hang"}) {
    HttpResponse shed = http.get(edged.url(path), {}, RequestOptions{Ms(3000)});
    EXPECT_EQ(shed.status, 503) << path << ": " << shed;
    EXPECT_EQ(header(shed, "X-Cache"), "Error from cloudfront") << path;
    EXPECT_NE(shed.body.find("503 ERROR"), std::string::npos) << shed.body;
  }
  EXPECT_EQ(origin.stats().path("/size/10"), 0u) << origin.stats();
  EXPECT_EQ(origin.stats().path("/hang"), 0u) << origin.stats();
  // Hits are not limited.
  for (int i = 0; i < 3; ++i) {
    HttpResponse hit = http.get(edged.url("/size/1000?hot"));
    EXPECT_EQ(hit.status, 200) << hit;
    EXPECT_EQ(header(hit, "X-Cache"), "Hit from cloudfront");
  }
  // The slow ones complete; then the shed miss goes through (the 503 was not cached).
  for (RawClient* c : {&slow1, &slow2}) {
    ReadResult rr = c->readResponses(1, Ms(6000));
    auto rs = parseResponses(rr.data, rr.closed);
    ASSERT_EQ(rs.size(), 1u) << rr.data;
    EXPECT_EQ(rs[0].status, 200) << rs[0];
  }
  bool recovered = waitFor(
      [&] { return http.get(edged.url("/size/10?cold"), {}, RequestOptions{Ms(3000)}).status == 200; },
      Ms(3000));
  EXPECT_TRUE(recovered) << "misses still shed after the fetches finished";
  EXPECT_EQ(origin.stats().path("/size/10"), 1u) << origin.stats();
}

// Occurrences of `needle` in `hay`.
size_t count(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// A viewer that pipelines requests and reads nothing: edged stops starting requests once the
// responses it could not write reach MaxConnectionBufferBytes, then stops reading the socket, so
// the viewer's send stalls. When the viewer reads, the held requests are answered in order.
// HEAD of a cached object: a response with no body to pause on (a GET's body write waits for
// the backlog by itself), so only the connection's own cap bounds what piles up.
TEST(Overload, ConnectionBufferStopsReadingAPipelinerThatDoesNotRead) {
  TestOrigin origin;
  Json cfg = overloadConfig();
  cfg["Edge"]["MaxConnectionBufferBytes"] = 65536;
  Edged edged(cfg, origin.port());
  Http http;
  ASSERT_EQ(http.get(edged.url("/size/16384?p")).status, 200);

  // 40 MB of requests, each answered with a ~400-byte head: 16 MB of answers queued in edged if
  // nothing held it back (and edged would read all of it).
  const std::string one =
      "HEAD /size/16384?p HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(900, 'p') + "\r\n\r\n";
  std::string flood;
  const int kRequests = 40000;
  flood.reserve(one.size() * kRequests);
  for (int i = 0; i < kRequests; ++i) flood += one;
  RawClient c(edged.port());
  EXPECT_FALSE(c.send(flood, Ms(3000))) << "edged read all " << flood.size()
                                         << " bytes of a viewer that reads nothing";
  MemInfo mem = treeMemInfo(edged.pid());
  ASSERT_GT(mem.rss_kb, 0);
  EXPECT_LT(mem.rss_kb, 200 * 1024) << "edged RSS " << mem.rss_kb << " kB";
  // Others are served meanwhile.
  HttpResponse r = http.get(edged.url("/size/16384?p"), {}, RequestOptions{Ms(3000)});
  EXPECT_EQ(r.status, 200) << r;
  // Reading resumes the held pipeline: 2,000 more answers, all 200.
  ReadResult rr = c.readUntil(
      [](std::string_view d) { return count(d, "HTTP/1.1 200 OK\r\n") >= 2000; }, Ms(5000));
  EXPECT_GE(count(rr.data, "HTTP/1.1 200 OK\r\n"), 2000u) << "after reading: " << rr.data.size()
                                                           << " bytes, closed=" << rr.closed;
  EXPECT_EQ(count(rr.data, "HTTP/1.1 "), count(rr.data, "HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(edged.running());
}

// A viewer that resets its connection while edged answers a pipeline of hits. Each hit's finish()
// writes at once; when that write fails the connection closes inside finish(), which then used
// to queue afterResponse() on a connection already queued for deletion (a use after free that
// ASan caught once at the end of the test above). Many rounds make the reset land mid-pipeline.
TEST(Overload, ViewerResetDuringAPipelineOfHitsIsSurvived) {
  TestOrigin origin;
  Edged edged(overloadConfig(), origin.port());
  Http http;
  ASSERT_EQ(http.get(edged.url("/size/2048?reset")).status, 200);
  const std::string one = "GET /size/2048?reset HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string burst;
  for (int i = 0; i < 400; ++i) burst += one;
  for (int round = 0; round < 60; ++round) {
    ASSERT_TRUE(edged.running()) << "edged died after " << round << " reset(s)";
    RawClient c(edged.port());
    c.send(burst, Ms(2000));
    // Read a little so edged is writing straight to the socket when the reset arrives.
    c.readSome(16384 * (1 + round % 4), Ms(1000));
    ASSERT_TRUE(c.resetOnClose());
    c.close();
  }
  EXPECT_TRUE(edged.running());
  EXPECT_EQ(http.get(edged.url("/size/2048?reset")).status, 200);
}

}  // namespace
}  // namespace edge::itest
